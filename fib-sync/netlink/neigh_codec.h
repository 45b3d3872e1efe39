// Netlink messages of fib-sync, built and parsed as pure functions (libmnl framing): FDB writes
// (RTM_NEWNEIGH / RTM_DELNEIGH, AF_BRIDGE) for the operations of a batch, dump requests, and the
// parse of whatever the kernel sends back (neighbour and link messages, ACKs and errors, the end
// of a dump). The parser takes any bytes: a malformed message is skipped or ends the parse,
// never read past its length. Fuzzed by tests/fuzz/netlink_parser_fuzz.cc.
// Standards: Linux rtnetlink(7), netlink(7); the bridge(8) FDB model (NTF_SELF for the VXLAN
// device's own table, NTF_MASTER for the bridge's, NTF_EXT_LEARNED for entries a control plane
// owns).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <span>
#include <vector>

#include "fib-sync/reconcile/fdb_types.h"

namespace evpnd::fibsync {

// Appends the netlink messages that carry out `op` (one or two), each with its own sequence
// number taken from `next_seq`; the sequence numbers are appended to `seqs`. The first one is the
// VXLAN device's own entry (NTF_SELF), whose answer decides the op's result. They ask for no
// ACK: the kernel answers a failed message with its error anyway (netlink(7)), so a writer asks
// an ACK of the last message of what it sends (RequestAckOfLast) and, once that ACK is in, takes
// every message without an error as done. That halves what the kernel writes back (most of a
// batch's ACKs) and what the writer reads.
void AppendFdbOp(const FdbOp& op, uint32_t& next_seq, std::vector<uint8_t>& buffer,
                 std::vector<uint32_t>& seqs);
// Sets NLM_F_ACK on the last message in `buffer` (a run of whole messages, as AppendFdbOp
// builds them); nothing when it is empty.
void RequestAckOfLast(std::span<uint8_t> buffer);

// A classic BPF program for the monitor socket (SO_ATTACH_FILTER) that drops the kernel's echo
// of fib-sync's own writes: RTM_NEWNEIGH, AF_BRIDGE, NTF_EXT_LEARNED, on one of
// `vxlan_ifindexes` (the VXLAN entry and the bridge entry on the VXLAN port both name it). Every
// other message passes: deletes (an owned entry removed behind our back is put back), entries
// without extern_learn (an operator's, the bridge's learning: local MACs, a remote MAC taken over
// by a local port), other devices and families. Empty when the list is empty or too long for one
// program (BPF_MAXINSNS), i.e. no filter.
std::vector<sock_filter> BuildEchoFilter(std::span<const int> vxlan_ifindexes);

enum class DumpKind : uint8_t { kLinks, kBridgeFdb };
std::vector<uint8_t> BuildDumpRequest(DumpKind kind, uint32_t seq);

struct ParsedMessage {
  enum class Kind : uint8_t { kNeigh, kLink, kAck, kDone, kOther };
  Kind kind = Kind::kOther;
  uint32_t seq = 0;
  int error = 0;  // kAck: 0 or a positive errno
  KernelFdbEntry neigh;
  LinkInfo link;
};

// Every message in `bytes` (what one recv returned). Messages of other families or types come
// back as kOther; a message whose header is inconsistent ends the parse (the rest is dropped and
// `malformed` set).
std::vector<ParsedMessage> ParseMessages(std::span<const uint8_t> bytes, bool* malformed = nullptr);

}  // namespace evpnd::fibsync
