// libFuzzer: the probe packet decoder (probe/probe_packet.h), keyed and unkeyed, and the
// responder's handling of whatever arrives (it must never answer with more bytes than came in).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "probe/probe_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiriwake::probe;
  std::span<const uint8_t> in(data, size);
  for (const ProbeKey& key : {ProbeKey{}, ProbeKey{"fuzz-key"}}) {
    ProbePacket p;
    DecodeError e = DecodeError::kNone;
    if (DecodePacket(in, key, &p, &e)) {
      if (e != DecodeError::kNone) std::abort();
      // A decoded request is long enough for its reply: the amplification guard's premise.
      if (p.type == PacketType::kRequest && EncodedSize(PacketType::kReply, key) > size) std::abort();
      uint8_t out[kMaxPacketSize];
      size_t n = EncodePacket(p, key, out);
      ProbePacket q;
      if (!DecodePacket(std::span<const uint8_t>(out, n), key, &q, &e) || q.seq != p.seq) std::abort();
    } else if (e == DecodeError::kNone) {
      std::abort();
    }
  }
  return 0;
}
