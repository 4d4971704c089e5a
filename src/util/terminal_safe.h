// util/terminal_safe.h: text from input files made inert for a terminal. A log line, host name,
// file name or topology name that reaches text output (stdout or stderr) could carry ESC (0x1b)
// and with it CSI/OSC sequences that clear, retitle or otherwise drive the reader's terminal;
// a newline or carriage return inside one field would forge or overwrite a line.
//
// Every byte that is not safe is written as "\xNN" (two lowercase hex digits), the convention of
// journalctl and systemd-escape:
//   - C0 controls 0x00-0x1f except TAB (newline and carriage return included), and DEL 0x7f;
//   - C1 controls U+0080-U+009F, written as both bytes of their UTF-8 form ("\xc2\x9b" for CSI);
//   - line and paragraph separators U+2028-U+2029 and the bidi embeddings, overrides and
//     isolates U+202A-U+202E, U+2066-U+2069, which reorder the rest of a line ("Trojan
//     Source"), as their three bytes ("\xe2\x80\xae" for RIGHT-TO-LEFT OVERRIDE);
//   - bytes that are not part of valid UTF-8 (stray continuation bytes, overlongs, surrogates,
//     truncated sequences), one "\xNN" each, as raw 0x80-0x9f is C1 to an 8-bit terminal.
// Everything else is kept byte for byte: printable ASCII, TAB, and valid UTF-8 such as Japanese.
// A backslash is not doubled, so escaping is idempotent (escaped text has nothing left to
// escape) and a literal "\x1b" in a log reads the same as an escaped ESC: the output is for
// people; --json is the lossless form.
//
// The common case, nothing to escape, is one 16-byte SSE2 scan and a bulk copy.
#ifndef KIRIWAKE_UTIL_TERMINAL_SAFE_H_
#define KIRIWAKE_UTIL_TERMINAL_SAFE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace kiriwake::text {

// Bytes at the start of s that are printable ASCII or TAB: s.size() when s is plain ASCII. Any
// other byte (control, DEL, or >= 0x80, which may still be kept) ends the prefix.
size_t PlainAsciiPrefix(std::string_view s);

// True when TerminalSafe(s) would differ from s.
bool NeedsTerminalEscape(std::string_view s);

// WriteTerminalSafe writes at most this many bytes per input byte ("\xNN").
inline constexpr size_t kTerminalSafeMaxExpansion = 4;

// Writes s with the escapes above at p, which must have room for
// kTerminalSafeMaxExpansion * s.size() bytes; returns the end.
char* WriteTerminalSafe(char* p, std::string_view s);

void AppendTerminalSafe(std::string* out, std::string_view s);
std::string TerminalSafe(std::string_view s);

}  // namespace kiriwake::text

#endif  // KIRIWAKE_UTIL_TERMINAL_SAFE_H_
