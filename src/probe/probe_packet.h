// probe/probe_packet.h: the kiriwake probe wire format (TWAMP-light style), encoder and decoder.
//
// A request carries magic, version, a sender id (random per prober session and target), a
// sequence number and the sender's send timestamp; the responder's reply echoes them and adds its
// receive and send timestamps and how many requests it has received from that sender id, so the
// prober can tell forward loss from reverse loss. All fields are big-endian.
//
//   0 u32 magic 'KWP1' | 4 u8 version | 5 u8 type (1 request, 2 reply) | 6 u8 flags (bit0 MAC)
//   7 u8 reserved | 8 u64 sender_id | 16 u64 seq | 24 u64 t_send_ns | 32 u64 t_rx_ns
//   40 u64 t_tx_ns | 48 u64 rx_count | 56 [16-byte HMAC-SHA256 of bytes 0..55 when flags bit0]
//   then optional padding (requests only).
//
// Amplification guard: a reply is always kHeaderSize (+ kMacSize) bytes, and a request is only
// valid when it is at least that long, so a reply is never larger than the request it answers.
// Pure functions; safe from any thread.
#ifndef KIRIWAKE_PROBE_PROBE_PACKET_H_
#define KIRIWAKE_PROBE_PROBE_PACKET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

struct hmac_sha256_ctx;  // nettle's

namespace kiriwake::probe {

// Persisted on the wire: DO NOT change without bumping kProbeVersion.
inline constexpr uint32_t kProbeMagic = 0x4B575031;  // "KWP1"
inline constexpr uint8_t kProbeVersion = 1;
inline constexpr size_t kHeaderSize = 56;
inline constexpr size_t kMacSize = 16;  // HMAC-SHA256 truncated to 128 bits (RFC 2104 §5)
inline constexpr size_t kMaxPacketSize = 1472;  // 1500-byte MTU minus IPv4 and UDP headers

enum class PacketType : uint8_t { kRequest = 1, kReply = 2 };

struct ProbePacket {
  PacketType type = PacketType::kRequest;
  bool authenticated = false;  // carried a MAC (and it verified, when decoded with a key)
  uint64_t sender_id = 0;
  uint64_t seq = 0;
  uint64_t t_send_ns = 0;  // sender's CLOCK_REALTIME at send
  uint64_t t_rx_ns = 0;    // responder's CLOCK_REALTIME at receive (replies)
  uint64_t t_tx_ns = 0;    // responder's CLOCK_REALTIME at reply (replies)
  uint64_t rx_count = 0;   // requests the responder received from this sender_id (replies)
};

// Why a datagram was not accepted; each has its own counter at the responder and prober.
enum class DecodeError : uint8_t {
  kNone = 0,
  kTooShort,      // shorter than the header (+ MAC), or a request shorter than its reply
  kBadMagic,      // not a kiriwake probe: someone else's traffic
  kBadVersion,
  kBadType,
  kMissingMac,    // a key is configured but the packet carries no MAC
  kBadMac,        // spoofed or keyed with another secret
  kUnexpectedMac, // the packet carries a MAC but no key is configured
};
const char* DecodeErrorName(DecodeError e);

// A shared secret for HMAC-SHA256; empty means "no authentication". The HMAC key schedule (the
// padded key's inner and outer hashes) is made once here, not per packet: it was two of the five
// SHA-256 blocks each packet's MAC cost. Cheap to copy (the schedule is shared, immutable).
class ProbeKey {
 public:
  ProbeKey() = default;
  explicit ProbeKey(std::string_view secret);
  bool enabled() const { return schedule_ != nullptr; }
  // The first kMacSize bytes of HMAC-SHA256(secret, data[0, len)); only when enabled().
  void Mac(const uint8_t* data, size_t len, uint8_t* out) const;

 private:
  std::shared_ptr<const hmac_sha256_ctx> schedule_;  // null: no secret
};

// Reads a shared key from a file: its bytes, without one trailing newline. Empty is an error
// (an empty key would silently mean "no authentication").
Result<ProbeKey> LoadProbeKey(const std::string& path);

// Size of an encoded packet: header, MAC when keyed, and for requests the padding up to
// `request_size` (clamped to [minimum, kMaxPacketSize]).
size_t EncodedSize(PacketType type, const ProbeKey& key, size_t request_size = 0);

// Writes `p` into `out` (which must hold EncodedSize bytes); returns the bytes written, 0 when
// `out` is too small. Padding is zeros.
size_t EncodePacket(const ProbePacket& p, const ProbeKey& key, std::span<uint8_t> out,
                    size_t request_size = 0);

// Decodes and (when `key` is enabled) verifies. On failure returns false and sets *error.
bool DecodePacket(std::span<const uint8_t> in, const ProbeKey& key, ProbePacket* out,
                  DecodeError* error);

}  // namespace kiriwake::probe

#endif  // KIRIWAKE_PROBE_PROBE_PACKET_H_
