// Google Benchmark for the codec's hot path: decoding and encoding an UPDATE that carries 100
// EVPN type-2 MAC/IP routes (RD type 1, IPv4, VNI label) with the attributes a VTEP sends (ORIGIN,
// AS_PATH, LOCAL_PREF, route target, VXLAN encapsulation, MAC mobility). Reports NLRIs/s.
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "bgpd/wire/message.h"

namespace evpnd::wire {
namespace {

UpdateMessage Make100Type2() {
  UpdateMessage u;
  PathAttributes& a = u.attributes;
  a.origin = Origin::kIgp;
  a.as_path = AsPath{};
  a.local_pref = 100;
  a.extended_communities = std::vector<evpn::ExtendedCommunity>{
      evpn::RouteTarget::ForVni(65000, 100), evpn::EncapsulationExtendedCommunity{},
      evpn::MacMobilityExtendedCommunity{3, 0}};
  MpReachNlri mp;
  mp.family = kL2vpnEvpn;
  mp.SetNextHop(evpn::IpAddress::V4(0x0a000001));
  for (uint32_t i = 0; i < 100; ++i) {
    evpn::MacIpAdvertisementRoute r;
    r.rd = evpn::RouteDistinguisher::Ipv4Address(0x0a000001, 2);
    r.mac.bytes = {0x52, 0x54, 0x00, 0x00, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    r.ip = evpn::IpAddress::V4(0xc0a80000 + i);
    r.label1 = evpn::Label::FromVni(100);
    mp.evpn_routes.push_back(EvpnNlri{std::nullopt, r});
  }
  a.mp_reach = std::move(mp);
  return u;
}

void BM_DecodeUpdate100Type2(benchmark::State& state) {
  CodecContext ctx;
  std::vector<uint8_t> bytes = EncodeMessage(Make100Type2(), ctx).value();
  for (auto _ : state) {
    DecodeOutcome<Message> out = DecodeMessage(bytes, ctx);
    benchmark::DoNotOptimize(out);
    if (!out.ok()) state.SkipWithError("decode failed");
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeUpdate100Type2);

void BM_EncodeUpdate100Type2(benchmark::State& state) {
  CodecContext ctx;
  Message message = Make100Type2();
  for (auto _ : state) {
    absl::StatusOr<std::vector<uint8_t>> bytes = EncodeMessage(message, ctx);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_EncodeUpdate100Type2);

}  // namespace
}  // namespace evpnd::wire

BENCHMARK_MAIN();
