// See neigh_codec.h.
#include "fib-sync/netlink/neigh_codec.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace evpnd::fibsync {
namespace {

// One message at the end of `buffer`: grows it by the largest size an FDB message can take
// (header, ndmsg, MAC, an IPv6 destination: well under 128 bytes) and trims it after.
constexpr size_t kMaxFdbMessage = 128;

nlmsghdr* StartMessage(std::vector<uint8_t>& buffer, uint16_t type, uint16_t flags, uint32_t seq,
                       size_t& offset) {
  offset = buffer.size();
  buffer.resize(offset + kMaxFdbMessage);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data() + offset);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  nlh->nlmsg_seq = seq;
  return nlh;
}

void PutNeigh(std::vector<uint8_t>& buffer, uint16_t type, uint16_t flags, uint32_t seq,
              int ifindex, uint16_t state, uint8_t ndm_flags, const evpn::MacAddress& mac,
              const evpn::IpAddress* dst) {
  size_t offset = 0;
  nlmsghdr* nlh = StartMessage(buffer, type, flags, seq, offset);
  auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
  ndm->ndm_family = AF_BRIDGE;
  ndm->ndm_ifindex = ifindex;
  ndm->ndm_state = state;
  ndm->ndm_flags = ndm_flags;
  mnl_attr_put(nlh, NDA_LLADDR, mac.bytes.size(), mac.bytes.data());
  if (dst != nullptr) mnl_attr_put(nlh, NDA_DST, dst->size(), dst->bytes().data());
  buffer.resize(offset + nlh->nlmsg_len);
}

constexpr uint16_t kRequest = NLM_F_REQUEST;
constexpr int kMaxErrno = 4095;

}  // namespace

void AppendFdbOp(const FdbOp& op, uint32_t& next_seq, std::vector<uint8_t>& buffer,
                 std::vector<uint32_t>& seqs) {
  const bool flood = op.key.flood();
  if (op.kind == FdbOpKind::kReplace) {
    // The VXLAN device's entry: the destination VTEP. Unicast MACs replace their one
    // destination (NUD_REACHABLE, as FRR's zebra writes remote MACs); the zero MAC appends one
    // destination per flood VTEP, permanent.
    const uint16_t flags =
        kRequest | NLM_F_CREATE | (flood ? NLM_F_APPEND : NLM_F_REPLACE);
    seqs.push_back(next_seq);
    PutNeigh(buffer, RTM_NEWNEIGH, flags, next_seq++, op.ifindex,
             flood ? NUD_PERMANENT : NUD_REACHABLE, NTF_SELF | NTF_EXT_LEARNED, op.key.mac,
             &op.vtep);
    if (op.bridge_ifindex != 0) {
      // The bridge's entry: frames for the MAC leave through the VXLAN port, and data-plane
      // learning does not age it (extern_learn).
      seqs.push_back(next_seq);
      PutNeigh(buffer, RTM_NEWNEIGH, kRequest | NLM_F_CREATE | NLM_F_REPLACE, next_seq++,
               op.ifindex, NUD_REACHABLE, NTF_MASTER | NTF_EXT_LEARNED, op.key.mac, nullptr);
    }
    return;
  }
  seqs.push_back(next_seq);
  PutNeigh(buffer, RTM_DELNEIGH, kRequest, next_seq++, op.ifindex, 0, NTF_SELF, op.key.mac,
           flood ? &op.vtep : nullptr);
  if (op.bridge_ifindex != 0) {
    seqs.push_back(next_seq);
    PutNeigh(buffer, RTM_DELNEIGH, kRequest, next_seq++, op.ifindex, 0, NTF_MASTER,
             op.key.mac, nullptr);
  }
}

void RequestAckOfLast(std::span<uint8_t> buffer) {
  nlmsghdr* last = nullptr;
  int remaining = static_cast<int>(buffer.size());
  for (auto* nlh = reinterpret_cast<nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(nlh, remaining);
       nlh = mnl_nlmsg_next(nlh, &remaining)) {
    last = nlh;
  }
  if (last != nullptr) last->nlmsg_flags |= NLM_F_ACK;
}

std::vector<sock_filter> BuildEchoFilter(std::span<const int> vxlan_ifindexes) {
  constexpr uint32_t kAccept = 0xffffffff;  // the whole message
  constexpr uint32_t kDrop = 0;
  if (vxlan_ifindexes.empty() || 11 + 2 * vxlan_ifindexes.size() > BPF_MAXINSNS) return {};
  // Netlink headers are in host byte order; BPF_H and BPF_W loads read network order.
  auto h = [](uint16_t v) { return static_cast<uint32_t>(ntohs(v)); };
  auto w = [](int v) { return ntohl(static_cast<uint32_t>(v)); };
  const uint32_t type_at = offsetof(nlmsghdr, nlmsg_type);
  const uint32_t ndm = NLMSG_HDRLEN;
  std::vector<sock_filter> p = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, type_at),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, h(RTM_NEWNEIGH), 1, 0),
      BPF_STMT(BPF_RET | BPF_K, kAccept),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ndm + offsetof(ndmsg, ndm_family)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_BRIDGE, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, kAccept),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ndm + offsetof(ndmsg, ndm_flags)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NTF_EXT_LEARNED, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, kAccept),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ndm + offsetof(ndmsg, ndm_ifindex)),
  };
  // One test and one return per device: every jump stays within the 8-bit offsets.
  for (int ifindex : vxlan_ifindexes) {
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, w(ifindex), 0, 1));
    p.push_back(BPF_STMT(BPF_RET | BPF_K, kDrop));
  }
  p.push_back(BPF_STMT(BPF_RET | BPF_K, kAccept));
  return p;
}

std::vector<uint8_t> BuildDumpRequest(DumpKind kind, uint32_t seq) {
  std::vector<uint8_t> buffer(MNL_SOCKET_BUFFER_SIZE > 256 ? 256 : MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data());
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  if (kind == DumpKind::kLinks) {
    nlh->nlmsg_type = RTM_GETLINK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
  } else {
    nlh->nlmsg_type = RTM_GETNEIGH;
    auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
    ndm->ndm_family = AF_BRIDGE;
  }
  buffer.resize(nlh->nlmsg_len);
  return buffer;
}

// ---- parsing ----

namespace {

struct AttrTable {
  const nlattr* at[64] = {};
};

int CollectAttr(const nlattr* attr, void* data) {
  auto* table = static_cast<AttrTable*>(data);
  const int type = mnl_attr_get_type(attr);
  if (type >= 0 && type < 64) table->at[type] = attr;
  return MNL_CB_OK;
}

bool ParseNeigh(const nlmsghdr* nlh, KernelFdbEntry& out) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ndmsg))) return false;
  const auto* ndm = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ndm->ndm_family != AF_BRIDGE) return false;
  AttrTable t;
  if (mnl_attr_parse(nlh, sizeof(ndmsg), CollectAttr, &t) != MNL_CB_OK) return false;
  const nlattr* lladdr = t.at[NDA_LLADDR];
  if (lladdr == nullptr || mnl_attr_get_payload_len(lladdr) != 6) return false;
  out.present = nlh->nlmsg_type == RTM_NEWNEIGH;
  out.ifindex = ndm->ndm_ifindex;
  std::memcpy(out.mac.bytes.data(), mnl_attr_get_payload(lladdr), 6);
  if (const nlattr* dst = t.at[NDA_DST]) {
    const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(dst));
    std::optional<evpn::IpAddress> ip =
        evpn::IpAddress::FromBytes({p, mnl_attr_get_payload_len(dst)});
    if (ip.has_value()) {
      out.has_dst = true;
      out.dst = *ip;
    }
  }
  if (const nlattr* vlan = t.at[NDA_VLAN]; vlan && mnl_attr_validate(vlan, MNL_TYPE_U16) == 0) {
    out.vlan = mnl_attr_get_u16(vlan);
  }
  const nlattr* master = t.at[NDA_MASTER];
  if (master != nullptr && mnl_attr_validate(master, MNL_TYPE_U32) == 0) {
    out.master_ifindex = static_cast<int>(mnl_attr_get_u32(master));
  }
  out.self = (ndm->ndm_flags & NTF_SELF) != 0 || out.has_dst;
  out.master = !out.self && out.master_ifindex != 0;
  out.extern_learn = (ndm->ndm_flags & NTF_EXT_LEARNED) != 0;
  out.state = ndm->ndm_state;
  return true;
}

void ParseVxlanData(const nlattr* data, LinkInfo& out) {
  AttrTable t;
  if (mnl_attr_parse_nested(data, CollectAttr, &t) != MNL_CB_OK) return;
  if (const nlattr* id = t.at[IFLA_VXLAN_ID]; id && mnl_attr_validate(id, MNL_TYPE_U32) == 0) {
    out.vni = mnl_attr_get_u32(id) & evpn::kMaxVni;
  }
  const nlattr* external = t.at[IFLA_VXLAN_COLLECT_METADATA];
  if (external != nullptr && mnl_attr_validate(external, MNL_TYPE_U8) == 0) {
    out.vxlan_external = mnl_attr_get_u8(external) != 0;
  }
}

bool ParseLink(const nlmsghdr* nlh, LinkInfo& out) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifinfomsg))) return false;
  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  // AF_BRIDGE link messages describe bridge-port state (and their RTM_DELLINK only means "left
  // the bridge"); the link itself is described by the AF_UNSPEC ones.
  if (ifi->ifi_family == AF_BRIDGE) return false;
  AttrTable t;
  if (mnl_attr_parse(nlh, sizeof(ifinfomsg), CollectAttr, &t) != MNL_CB_OK) return false;
  out.present = nlh->nlmsg_type == RTM_NEWLINK;
  out.ifindex = ifi->ifi_index;
  out.up = (ifi->ifi_flags & IFF_UP) != 0;
  if (const nlattr* name = t.at[IFLA_IFNAME];
      name && mnl_attr_validate(name, MNL_TYPE_NUL_STRING) == 0) {
    out.name = mnl_attr_get_str(name);
  }
  if (const nlattr* master = t.at[IFLA_MASTER];
      master && mnl_attr_validate(master, MNL_TYPE_U32) == 0) {
    out.master_ifindex = static_cast<int>(mnl_attr_get_u32(master));
  }
  if (const nlattr* info = t.at[IFLA_LINKINFO];
      info && mnl_attr_validate(info, MNL_TYPE_NESTED) == 0) {
    AttrTable li;
    if (mnl_attr_parse_nested(info, CollectAttr, &li) == MNL_CB_OK) {
      if (const nlattr* kind = li.at[IFLA_INFO_KIND];
          kind && mnl_attr_validate(kind, MNL_TYPE_NUL_STRING) == 0) {
        out.kind = mnl_attr_get_str(kind);
      }
      const nlattr* data = li.at[IFLA_INFO_DATA];
      if (out.kind == "vxlan" && data && mnl_attr_validate(data, MNL_TYPE_NESTED) == 0) {
        ParseVxlanData(data, out);
      }
    }
  }
  return true;
}

}  // namespace

std::vector<ParsedMessage> ParseMessages(std::span<const uint8_t> bytes, bool* malformed) {
  std::vector<ParsedMessage> out;
  if (malformed != nullptr) *malformed = false;
  // libmnl walks a mutable, aligned buffer; a copy gives both. It reads a message's attributes up
  // to MNL_ALIGN(nlmsg_len): the zero padding keeps that inside the copy for a last message whose
  // length is not a multiple of 4.
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  int len = static_cast<int>(copy.size());
  copy.resize(MNL_ALIGN(copy.size()));
  const nlmsghdr* nlh = reinterpret_cast<const nlmsghdr*>(copy.data());
  while (len > 0) {
    // mnl_nlmsg_ok compares (int)nlmsg_len with `len`: a length of 2^31 or more is negative
    // there and would pass.
    if (!mnl_nlmsg_ok(nlh, len) || nlh->nlmsg_len > static_cast<uint32_t>(len)) {
      if (malformed != nullptr) *malformed = true;
      break;
    }
    ParsedMessage m;
    m.seq = nlh->nlmsg_seq;
    switch (nlh->nlmsg_type) {
      case NLMSG_ERROR:
        if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(nlmsgerr))) {
          const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
          m.kind = ParsedMessage::Kind::kAck;
          // Linux answers 0 or -errno (at most MAX_ERRNO, 4095); anything else (INT_MIN has no
          // positive counterpart) is reported as EIO.
          const int e = err->error;
          m.error = e >= -kMaxErrno && e <= kMaxErrno ? (e < 0 ? -e : e) : EIO;
        }
        break;
      case NLMSG_DONE:
        m.kind = ParsedMessage::Kind::kDone;
        break;
      case RTM_NEWNEIGH:
      case RTM_DELNEIGH:
        if (ParseNeigh(nlh, m.neigh)) m.kind = ParsedMessage::Kind::kNeigh;
        break;
      case RTM_NEWLINK:
      case RTM_DELLINK:
        if (ParseLink(nlh, m.link)) m.kind = ParsedMessage::Kind::kLink;
        break;
      default:
        break;
    }
    out.push_back(std::move(m));
    nlh = mnl_nlmsg_next(nlh, &len);
  }
  return out;
}

}  // namespace evpnd::fibsync
