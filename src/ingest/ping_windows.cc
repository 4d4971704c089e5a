// Windows ping.exe, English and Japanese (reference §4; no source exists, formats from captures).
// No sequence numbers: probe k is the k-th result line after the header. LineReader has already
// turned CP932 (cmd.exe redirect) and UTF-16LE with BOM (PowerShell Out-File) into UTF-8.
#include <fmt/format.h>

#include "ingest/ping_log_internal.h"
#include "util/text.h"

namespace kiriwake::ingest::ping_internal {
namespace {

using text::Consume;

// Windows prints "time<1ms" for anything under a millisecond; we record the middle of [0, 1).
constexpr double kSubMillisecondMs = 0.5;

SessionBuilder& WindowsSession(PingParser& p) {
  SessionBuilder* s = p.current();
  if (s && s->format() == PingFormat::kWindows) return *s;
  SessionBuilder& n = p.StartSession(PingFormat::kWindows, "", "", 1, false, true);
  n.Warn(p.line_no(), "no \"Pinging ...\" header before this line: the session starts here");
  return n;
}

// "time=248ms", "time<1ms", "時間 =248ms", "時間 <1ms" -> ms. `s` starts after "time"/"時間".
std::optional<double> WindowsTime(std::string_view s) {
  s = text::TrimLeft(s);
  if (Consume(&s, "<")) return kSubMillisecondMs;
  if (!Consume(&s, "=")) return std::nullopt;
  auto v = ConsumeDigits(&s);
  if (!v || !s.starts_with("ms")) return std::nullopt;
  return static_cast<double>(*v);
}

void SetName(SessionBuilder& s, std::string_view addr) {
  if (s.info().target_address.empty()) s.info().target_address = std::string(addr);
  if (s.info().target_name.empty()) s.info().target_name = std::string(addr);
}

// "Reply from X: bytes=32 time=2ms TTL=64" / "X からの応答: バイト数 =32 時間 =2ms TTL=64";
// anything else after the colon is an ICMP error that Windows counts as received.
bool Reply(PingParser& p, std::string_view addr, std::string_view rest, std::string_view time_key) {
  SessionBuilder& s = WindowsSession(p);
  SetName(s, addr);
  uint64_t id = s.NextPosition();
  size_t t = rest.find(time_key);
  if (t == std::string_view::npos) {
    ++s.info().windows_error_replies;
    s.Error(id, p.line_no());
    return true;
  }
  auto ms = WindowsTime(rest.substr(t + time_key.size()));
  if (!ms) {
    // A "Reply from" with a time field is an answer (errors have none); only its time is lost.
    s.Warn(p.line_no(),
           fmt::format("expected \"{}=Nms\" or \"{}<1ms\", saw \"{}\"; counted as answered "
                       "without an RTT",
                       time_key, time_key, EscapeForMessage(rest.substr(t))));
    s.Reply(id, SessionBuilder::kNoRtt, false, p.line_no());
    return true;
  }
  s.Reply(id, *ms, false, p.line_no());
  return true;
}

// "Packets: Sent = 4, Received = 3, Lost = 1 (25% loss)," /
// "パケット数: 送信 = 4、受信 = 3、損失 = 1 (25% の損失)、"
bool Totals(PingParser& p, std::string_view s, std::string_view sent, std::string_view received) {
  size_t a = s.find(sent);
  size_t b = s.find(received);
  if (a == std::string_view::npos || b == std::string_view::npos) return false;
  std::string_view x = s.substr(a + sent.size());
  std::string_view y = s.substr(b + received.size());
  auto tx = ConsumeDigits(&x);
  auto rx = ConsumeDigits(&y);
  SessionBuilder& sess = WindowsSession(p);
  if (!tx || !rx) {
    sess.Warn(p.line_no(), "expected numbers after Sent = and Received =");
    return true;
  }
  PingToolTotals t;
  t.loc = p.Here();
  t.transmitted = *tx;
  t.received = *rx;
  size_t pct = s.find('(');
  if (pct != std::string_view::npos) {
    std::string_view q = s.substr(pct + 1);
    if (auto v = ConsumeDigits(&q)) t.loss_percent = static_cast<double>(*v);
  }
  // Ctrl+Break prints statistics and the run goes on: the latest block is the cumulative one.
  sess.SetTotals(std::move(t));
  return true;
}

// "Minimum = 0ms, Maximum = 248ms, Average = 83ms" / "最小 = 0ms、最大 = 248ms、平均 = 83ms"
bool RttTotals(PingParser& p, std::string_view s, std::string_view kmin, std::string_view kmax,
               std::string_view kavg) {
  auto get = [&](std::string_view key) -> std::optional<double> {
    size_t k = s.find(key);
    if (k == std::string_view::npos) return std::nullopt;
    std::string_view q = s.substr(k + key.size());
    auto v = ConsumeDigits(&q);
    if (!v) return std::nullopt;
    return static_cast<double>(*v);
  };
  auto mn = get(kmin), mx = get(kmax), av = get(kavg);
  if (!mn || !mx || !av) return false;
  SessionBuilder& sess = WindowsSession(p);
  if (sess.has_totals()) {
    PingToolTotals& t = *sess.info().totals;
    t.rtt_min_ms = mn;
    t.rtt_max_ms = mx;
    t.rtt_avg_ms = av;
  }
  return true;
}

}  // namespace

bool ParseWindowsLine(PingParser& p, std::string_view line) {
  std::string_view s = text::TrimLeft(line);
  std::string_view q = s;
  // --- English ---
  if (Consume(&q, "Reply from ")) {
    size_t colon = q.find(": ");
    if (colon == std::string_view::npos) return false;
    return Reply(p, q.substr(0, colon), q.substr(colon + 2), "time");
  }
  if (s == "Request timed out.") {
    SessionBuilder& sess = WindowsSession(p);
    sess.Timeout(sess.NextPosition(), p.line_no());
    return true;
  }
  if (s == "Destination host unreachable." || s == "Destination net unreachable." ||
      s == "General failure." || s.starts_with("PING: transmit failed") ||
      s == "Packet needs to be fragmented but DF set." ||
      // Japanese: 宛先ホスト/ネットワークに到達できません。 / PING: 転送に失敗しました。
      s == "宛先ホストに到達できません。" || s == "宛先ネットワークに到達できません。" ||
      s.starts_with("PING: 転送に失敗しました")) {
    // No reply at all (a local failure): lost, and an error rather than silence.
    SessionBuilder& sess = WindowsSession(p);
    sess.Error(sess.NextPosition(), p.line_no());
    return true;
  }
  if (Consume(&q, "Pinging ")) {
    size_t with = q.find(" with ");
    if (with == std::string_view::npos || !q.ends_with("bytes of data:")) return false;
    std::string_view who = q.substr(0, with);
    std::string name(who), address(who);
    if (size_t br = who.find(" ["); br != std::string_view::npos && who.ends_with("]")) {
      name = std::string(who.substr(0, br));
      address = std::string(who.substr(br + 2, who.size() - br - 3));
    }
    p.StartSession(PingFormat::kWindows, name, address, 1, false);
    return true;
  }
  if (s.starts_with("Ping statistics for ") ||
      s == "Approximate round trip times in milli-seconds:") {
    return p.current() && p.current()->format() == PingFormat::kWindows;
  }
  if (s.starts_with("Packets: Sent = ")) return Totals(p, s, "Sent = ", "Received = ");
  if (s.starts_with("Minimum = ")) return RttTotals(p, s, "Minimum = ", "Maximum = ", "Average = ");
  if (s == "Control-C" || s == "^C" || s == "Control-Break") {
    return p.current() && p.current()->format() == PingFormat::kWindows;
  }
  // --- Japanese ---
  if (size_t k = s.find(" からの応答: "); k != std::string_view::npos) {
    return Reply(p, s.substr(0, k), s.substr(k + std::string_view(" からの応答: ").size()), "時間");
  }
  if (s == "要求がタイムアウトしました。") {
    SessionBuilder& sess = WindowsSession(p);
    sess.Timeout(sess.NextPosition(), p.line_no());
    return true;
  }
  if (size_t k = s.find("に ping を送信しています"); k != std::string_view::npos) {
    std::string_view who = text::TrimRight(s.substr(0, k));
    std::string name(who), address(who);
    if (size_t br = who.find(" ["); br != std::string_view::npos && who.ends_with("]")) {
      name = std::string(who.substr(0, br));
      address = std::string(who.substr(br + 2, who.size() - br - 3));
    }
    p.StartSession(PingFormat::kWindows, name, address, 1, false);
    return true;
  }
  if (s.ends_with(" の ping 統計:") || s == "ラウンド トリップの概算時間 (ミリ秒):") {
    return p.current() && p.current()->format() == PingFormat::kWindows;
  }
  if (s.starts_with("パケット数: ")) return Totals(p, s, "送信 = ", "受信 = ");
  if (s.starts_with("最小 = ")) return RttTotals(p, s, "最小 = ", "最大 = ", "平均 = ");
  return false;
}

}  // namespace kiriwake::ingest::ping_internal
