#include "probe/probe_packet.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nettle/hmac.h>
#include <nettle/memops.h>

namespace kiriwake::probe {

const char* DecodeErrorName(DecodeError e) {
  switch (e) {
    case DecodeError::kNone: return "none";
    case DecodeError::kTooShort: return "too_short";
    case DecodeError::kBadMagic: return "bad_magic";
    case DecodeError::kBadVersion: return "bad_version";
    case DecodeError::kBadType: return "bad_type";
    case DecodeError::kMissingMac: return "missing_mac";
    case DecodeError::kBadMac: return "bad_mac";
    case DecodeError::kUnexpectedMac: return "unexpected_mac";
  }
  return "unknown";
}

namespace {

void Put64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
uint64_t Get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
void Put32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
uint32_t Get32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

ProbeKey::ProbeKey(std::string_view secret) {
  if (secret.empty()) return;
  auto ctx = std::make_shared<hmac_sha256_ctx>();
  hmac_sha256_set_key(ctx.get(), secret.size(), reinterpret_cast<const uint8_t*>(secret.data()));
  schedule_ = std::move(ctx);
}

void ProbeKey::Mac(const uint8_t* data, size_t len, uint8_t* out) const {
  // A copy of the prepared context continues from the keyed state, as set_key left it.
  hmac_sha256_ctx ctx = *schedule_;
  hmac_sha256_update(&ctx, len, data);
  hmac_sha256_digest(&ctx, kMacSize, out);
}

Result<ProbeKey> LoadProbeKey(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::FromErrno("cannot read key file " + path, errno);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string key = ss.str();
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.empty()) return Status::Usage("key file " + path + " is empty");
  return ProbeKey(key);
}

size_t EncodedSize(PacketType type, const ProbeKey& key, size_t request_size) {
  size_t minimum = kHeaderSize + (key.enabled() ? kMacSize : 0);
  if (type == PacketType::kReply) return minimum;
  return std::clamp(request_size, minimum, kMaxPacketSize);
}

size_t EncodePacket(const ProbePacket& p, const ProbeKey& key, std::span<uint8_t> out,
                    size_t request_size) {
  size_t size = EncodedSize(p.type, key, request_size);
  if (out.size() < size) return 0;
  uint8_t* b = out.data();
  Put32(b, kProbeMagic);
  b[4] = kProbeVersion;
  b[5] = static_cast<uint8_t>(p.type);
  b[6] = key.enabled() ? 1 : 0;
  b[7] = 0;
  Put64(b + 8, p.sender_id);
  Put64(b + 16, p.seq);
  Put64(b + 24, p.t_send_ns);
  Put64(b + 32, p.t_rx_ns);
  Put64(b + 40, p.t_tx_ns);
  Put64(b + 48, p.rx_count);
  size_t at = kHeaderSize;
  if (key.enabled()) {
    key.Mac(b, kHeaderSize, b + at);
    at += kMacSize;
  }
  if (size > at) std::memset(b + at, 0, size - at);
  return size;
}

bool DecodePacket(std::span<const uint8_t> in, const ProbeKey& key, ProbePacket* out,
                  DecodeError* error) {
  auto fail = [error](DecodeError e) {
    *error = e;
    return false;
  };
  if (in.size() < 8) return fail(DecodeError::kTooShort);
  const uint8_t* b = in.data();
  if (Get32(b) != kProbeMagic) return fail(DecodeError::kBadMagic);
  if (b[4] != kProbeVersion) return fail(DecodeError::kBadVersion);
  if (b[5] != static_cast<uint8_t>(PacketType::kRequest) &&
      b[5] != static_cast<uint8_t>(PacketType::kReply)) {
    return fail(DecodeError::kBadType);
  }
  bool has_mac = (b[6] & 1) != 0;
  size_t minimum = kHeaderSize + (has_mac ? kMacSize : 0);
  if (in.size() < minimum) return fail(DecodeError::kTooShort);
  if (key.enabled() && !has_mac) return fail(DecodeError::kMissingMac);
  if (!key.enabled() && has_mac) return fail(DecodeError::kUnexpectedMac);
  if (has_mac) {
    uint8_t mac[kMacSize];
    key.Mac(b, kHeaderSize, mac);
    if (!nettle_memeql_sec(mac, b + kHeaderSize, kMacSize)) return fail(DecodeError::kBadMac);
  }
  out->type = static_cast<PacketType>(b[5]);
  out->authenticated = has_mac;
  out->sender_id = Get64(b + 8);
  out->seq = Get64(b + 16);
  out->t_send_ns = Get64(b + 24);
  out->t_rx_ns = Get64(b + 32);
  out->t_tx_ns = Get64(b + 40);
  out->rx_count = Get64(b + 48);
  *error = DecodeError::kNone;
  return true;
}

}  // namespace kiriwake::probe
