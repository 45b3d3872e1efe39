// libFuzzer target for the netlink parser of fib-sync (fib-sync/netlink/neigh_codec.h
// ParseMessages): the input is what one recv on a NETLINK_ROUTE socket returned, any bytes.
// Invariants: nothing crashes or reads out of bounds (ASan/UBSan); a message count no larger
// than the bytes allow; every kNeigh entry is sane (self and master exclusive, master entries
// name their bridge, no destination unless NDA_DST said so); ACK errors are non-negative; VNIs fit
// 24 bits; and the VXLAN entry of every parsed neighbour, written back by AppendFdbOp, parses to
// the same MAC, device and destination (the builder and the parser agree).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fib-sync/netlink/neigh_codec.h"
#include "fib-sync/reconcile/fdb_types.h"

namespace {

using evpnd::fibsync::FdbOp;
using evpnd::fibsync::FdbOpKind;
using evpnd::fibsync::KernelFdbEntry;
using evpnd::fibsync::ParsedMessage;

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckNeigh(const KernelFdbEntry& e) {
  Require(!(e.self && e.master));
  Require(!e.master || e.master_ifindex != 0);
  Require(e.has_dst || e.dst == evpnd::evpn::IpAddress());
  Require(!e.has_dst || e.self);  // an entry with a destination is a device's own
  // The VXLAN entry evpnd would write for it parses back to the same MAC, device, destination.
  if (!e.self || !e.has_dst) return;
  FdbOp op;
  op.kind = FdbOpKind::kReplace;
  op.key.mac = e.mac;
  op.ifindex = e.ifindex;
  op.vtep = e.dst;
  uint32_t seq = 7;
  std::vector<uint8_t> buffer;
  std::vector<uint32_t> seqs;
  evpnd::fibsync::AppendFdbOp(op, seq, buffer, seqs);
  bool malformed = true;
  const std::vector<ParsedMessage> again = evpnd::fibsync::ParseMessages(buffer, &malformed);
  Require(!malformed && again.size() == 1 && seqs.size() == 1 && seqs[0] == 7 && seq == 8);
  const ParsedMessage& m = again[0];
  Require(m.kind == ParsedMessage::Kind::kNeigh && m.seq == 7);
  Require(m.neigh.present && m.neigh.self && m.neigh.extern_learn && m.neigh.has_dst);
  Require(m.neigh.mac == e.mac && m.neigh.ifindex == e.ifindex && m.neigh.dst == e.dst);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bool malformed = false;
  const std::vector<ParsedMessage> messages =
      evpnd::fibsync::ParseMessages(std::span<const uint8_t>(data, size), &malformed);
  Require(messages.size() <= size / 16);  // a netlink header is 16 bytes
  for (const ParsedMessage& m : messages) {
    switch (m.kind) {
      case ParsedMessage::Kind::kNeigh:
        CheckNeigh(m.neigh);
        break;
      case ParsedMessage::Kind::kAck:
        Require(m.error >= 0);
        break;
      case ParsedMessage::Kind::kLink:
        Require(m.link.vni <= evpnd::evpn::kMaxVni);
        break;
      case ParsedMessage::Kind::kDone:
      case ParsedMessage::Kind::kOther:
        break;
    }
  }
  return 0;
}
