#include "ingest/line_reader.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/file_window.h"

namespace kiriwake::ingest {
namespace {

std::vector<std::string> ReadAll(LineReader& r) {
  std::vector<std::string> out;
  std::string_view line;
  while (r.Next(&line)) out.emplace_back(line);
  return out;
}

TEST(LineReader, SplitsLfAndCrlfAndKeepsEmptyLines) {
  auto r = LineReader::FromString("a\r\n\nb\nc", "t");
  EXPECT_EQ(ReadAll(*r), (std::vector<std::string>{"a", "", "b", "c"}));
  EXPECT_EQ(r->line_number(), 4);
  EXPECT_TRUE(r->last_line_unterminated());
  EXPECT_TRUE(r->status().ok());
}

TEST(LineReader, EmptyInputHasNoLines) {
  auto r = LineReader::FromString("", "t");
  EXPECT_TRUE(ReadAll(*r).empty());
  EXPECT_TRUE(r->status().ok());
}

TEST(LineReader, Utf16LeBomIsTranscoded) {
  // "要求\r\nok\r\n" in UTF-16LE with BOM, as PowerShell 5.1's Out-File writes it.
  std::string bytes = "\xFF\xFE";
  std::u16string u = u"要求\r\nok\r\n";
  for (char16_t c : u) {
    bytes += static_cast<char>(c & 0xFF);
    bytes += static_cast<char>(c >> 8);
  }
  auto r = LineReader::FromString(bytes, "t");
  EXPECT_EQ(ReadAll(*r), (std::vector<std::string>{"要求", "ok"}));
  EXPECT_EQ(r->encoding(), TextEncoding::kUtf16Le);
}

TEST(LineReader, Cp932IsDetectedAndTranscoded) {
  // "からの応答" in CP932, as cmd.exe's redirect writes it on a Japanese Windows.
  std::string bytes = "\x82\xa9\x82\xe7\x82\xcc\x89\x9e\x93\x9a\r\n";
  auto r = LineReader::FromString(bytes, "t");
  EXPECT_EQ(ReadAll(*r), (std::vector<std::string>{"からの応答"}));
  EXPECT_EQ(r->encoding(), TextEncoding::kCp932);
}

TEST(LineReader, Utf8BomIsDropped) {
  auto r = LineReader::FromString("\xEF\xBB\xBFhello\n", "t");
  EXPECT_EQ(ReadAll(*r), (std::vector<std::string>{"hello"}));
  EXPECT_EQ(r->encoding(), TextEncoding::kUtf8Bom);
}

TEST(LineReader, GzipFileIsDecompressed) {
  std::string path = ::testing::TempDir() + "/lr.gz";
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "line " + std::to_string(i) + "\n";
  gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
  gzclose(f);
  auto r = LineReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto lines = ReadAll(**r);
  ASSERT_EQ(lines.size(), 100000u);
  EXPECT_EQ(lines[99999], "line 99999");
  EXPECT_EQ((*r)->compression(), Compression::kGzip);
  std::filesystem::remove(path);
}

TEST(LineReader, CutGzipIsAnErrorNotSilence) {
  std::string path = ::testing::TempDir() + "/cut.gz";
  gzFile f = gzopen(path.c_str(), "wb");
  std::string content(200000, 'x');
  gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
  gzclose(f);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  auto r = LineReader::Open(path);
  ASSERT_TRUE(r.ok());
  ReadAll(**r);
  EXPECT_FALSE((*r)->status().ok());
  std::filesystem::remove(path);
}

TEST(LineReader, OverlongLineIsCutNotBuffered) {
  std::string big(LineReader::kMaxLineBytes * 3, 'a');
  auto r = LineReader::FromString(big + "\nnext\n", "t");
  std::string_view line;
  ASSERT_TRUE(r->Next(&line));
  EXPECT_EQ(line.size(), LineReader::kMaxLineBytes);
  EXPECT_TRUE(r->last_line_truncated());
  ASSERT_TRUE(r->Next(&line));
  EXPECT_EQ(line, "next");
  EXPECT_EQ(r->line_number(), 2);
}

TEST(LineReader, MissingFileIsNotFound) {
  auto r = LineReader::Open("/nonexistent/kiriwake/file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(LineReader, NulByteMarksBinary) {
  auto r = LineReader::FromString(std::string("ab\0cd\n", 6), "t");
  ReadAll(*r);
  EXPECT_TRUE(r->saw_nul());
}

// A temporary file removed at the end of the test, pass or fail.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name)
      : path((std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid())))
                 .string()) {}
  ~TempFile() { std::filesystem::remove(path); }
  void Write(const std::string& bytes, std::ios::openmode mode = std::ios::trunc) const {
    std::ofstream(path, std::ios::binary | mode) << bytes;
  }
};

struct SeenLine {
  std::string text;
  bool truncated;
  int64_t number;
  friend bool operator==(const SeenLine&, const SeenLine&) = default;
};

std::vector<SeenLine> ReadWithFlags(LineReader& r) {
  std::vector<SeenLine> out;
  std::string_view line;
  while (r.Next(&line))
    out.push_back({std::string(line), r.last_line_truncated(), r.line_number()});
  return out;
}

// Large files are read through mapped windows: every line, cut and flag must be what reading the
// same bytes from memory gives, across window edges, CRLF, empty and over-long lines.
TEST(LineReader, MappedFileReadsTheSameLinesAsMemory) {
  std::mt19937 rng(7);
  std::string bytes;
  while (bytes.size() < 14 * (1 << 20)) {
    size_t len = rng() % 100 == 0 ? rng() % (3 * LineReader::kMaxLineBytes) : rng() % 300;
    bytes.append(len, static_cast<char>('a' + rng() % 26));
    bytes += rng() % 10 == 0 ? "\r\n" : "\n";
  }
  bytes += "unterminated last line";
  TempFile f("kw_mapped");
  f.Write(bytes);
  auto mapped = LineReader::Open(f.path);
  ASSERT_TRUE(mapped.ok());
  auto memory = LineReader::FromString(bytes, "m");
  auto a = ReadWithFlags(**mapped);
  auto b = ReadWithFlags(*memory);
  ASSERT_TRUE((*mapped)->status().ok()) << (*mapped)->status().ToString();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "line " << i + 1;
  EXPECT_TRUE((*mapped)->last_line_unterminated());
  EXPECT_EQ((*mapped)->decoded_bytes(), bytes.size());
}

// DeferNulScan: a NUL anywhere in a large mapped file is still seen by the end of input, whether
// the bytes were handed out by Next() (in a line, in the cut tail of an over-long line, in the
// unfinished tail read after the last window) or skipped by a caller that did not vouch for them;
// bytes skipped as NUL-free are not scanned again.
TEST(LineReader, DeferredNulScanSeesEveryNulByTheEnd) {
  std::string line(99, 'x');
  line += '\n';
  std::string clean;
  for (int i = 0; i < 60000; ++i) clean += line;  // 6 MB: several windows
  std::string over_long(LineReader::kMaxLineBytes + 5000, 'y');
  over_long[LineReader::kMaxLineBytes + 4000] = '\0';
  struct Case {
    std::string bytes;
    bool skip;  // SkipLines (not NUL-free) over whole buffered lines between Next() calls
  };
  std::vector<Case> cases;
  for (size_t at : {size_t{10}, size_t{70000}, size_t{3 << 20}, clean.size() - 3}) {
    std::string b = clean;
    b[at] = '\0';
    cases.push_back({b, false});
    cases.push_back({b, true});
  }
  cases.push_back({clean + over_long + "\n" + clean, false});
  cases.push_back({clean + "tail without newline" + std::string(1, '\0') + "!", false});
  for (size_t i = 0; i < cases.size(); ++i) {
    TempFile f("kw_nul");
    f.Write(cases[i].bytes);
    auto r = LineReader::Open(f.path);
    ASSERT_TRUE(r.ok());
    (*r)->DeferNulScan();
    std::string_view got;
    int64_t lines = 0;
    while ((*r)->Next(&got)) {
      ++lines;
      std::string_view buf = (*r)->Buffered();
      if (!cases[i].skip || buf.size() < 1000) continue;
      size_t end = buf.rfind('\n', 900);
      if (end != std::string_view::npos) (*r)->SkipLines(end + 1, 1);
    }
    ASSERT_TRUE((*r)->status().ok());
    EXPECT_TRUE((*r)->saw_nul()) << "case " << i;
    EXPECT_GT(lines, 0);
  }
  // Vouched-for bytes are not scanned: a NUL in them goes unseen (the caller's promise).
  TempFile f("kw_nul_vouched");
  std::string b = clean;
  b[4 << 20] = '\0';
  f.Write(b);
  auto r = LineReader::Open(f.path);
  ASSERT_TRUE(r.ok());
  (*r)->DeferNulScan();
  std::string_view got;
  while ((*r)->Next(&got)) {
    std::string_view buf = (*r)->Buffered();
    size_t end = buf.rfind('\n');
    if (end != std::string_view::npos) (*r)->SkipLines(end + 1, 1, /*nul_free=*/true);
  }
  EXPECT_FALSE((*r)->saw_nul());
  // Without DeferNulScan the window is scanned as it is mapped, vouched for or not.
  auto eager = LineReader::Open(f.path);
  ASSERT_TRUE(eager.ok());
  while ((*eager)->Next(&got)) {
    std::string_view buf = (*eager)->Buffered();
    size_t end = buf.rfind('\n');
    if (end != std::string_view::npos) (*eager)->SkipLines(end + 1, 1, /*nul_free=*/true);
  }
  EXPECT_TRUE((*eager)->saw_nul());
}

TEST(LineReader, FileTruncatedWhileReadIsAnErrorNotACrash) {
  std::string line(99, 'x');
  line += '\n';
  std::string bytes;
  for (int i = 0; i < 120000; ++i) bytes += line;  // 12 MB: several windows
  TempFile f("kw_shrink");
  f.Write(bytes);
  auto r = LineReader::Open(f.path);
  ASSERT_TRUE(r.ok());
  std::string_view got;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE((*r)->Next(&got));
  std::filesystem::resize_file(f.path, 100000);  // logrotate's copytruncate, mid-read
  int64_t lines = 0;
  while ((*r)->Next(&got) && lines < 1000000) ++lines;
  EXPECT_LT(lines, 1000000);
  ASSERT_FALSE((*r)->status().ok());
  EXPECT_NE((*r)->status().message().find("shrank while it was being read"), std::string::npos)
      << (*r)->status().ToString();
}

TEST(LineReader, FileThatGrowsWhileReadIsReadToItsNewEnd) {
  std::string bytes;
  for (int i = 0; i < 8000; ++i) bytes += "line " + std::to_string(i) + " of the first part\n";
  TempFile f("kw_grow");
  f.Write(bytes);
  auto r = LineReader::Open(f.path);
  ASSERT_TRUE(r.ok());
  std::string_view got;
  ASSERT_TRUE((*r)->Next(&got));
  f.Write("appended after open\n", std::ios::app);
  std::string last;
  while ((*r)->Next(&got)) last = got;
  EXPECT_TRUE((*r)->status().ok());
  EXPECT_EQ(last, "appended after open");
  EXPECT_EQ((*r)->line_number(), 8001);
}

// Past FileWindow's budget a reader reads instead of mapping: many large files read in turn (as
// the timeline merges them) still give every line.
TEST(LineReader, MoreLargeFilesThanTheMappingBudgetAreReadAlike) {
  constexpr int kFiles = static_cast<int>(FileWindow::kMaxLiveWindows) + 3;
  std::vector<std::unique_ptr<TempFile>> files;
  std::vector<std::unique_ptr<LineReader>> readers;
  std::vector<std::string> contents;
  for (int f = 0; f < kFiles; ++f) {
    std::string bytes;
    for (int i = 0; i < 40000; ++i) {
      bytes += "file " + std::to_string(f) + " line " + std::to_string(i) + "\n";
    }
    files.push_back(std::make_unique<TempFile>("kw_budget" + std::to_string(f)));
    files.back()->Write(bytes);
    auto r = LineReader::Open(files.back()->path);
    ASSERT_TRUE(r.ok());
    readers.push_back(std::move(*r));
    contents.push_back(std::move(bytes));
  }
  std::vector<std::string> got(kFiles);
  for (bool any = true; any;) {
    any = false;
    for (int f = 0; f < kFiles; ++f) {
      std::string_view line;
      if (readers[f]->Next(&line)) {
        got[f].append(line).push_back('\n');
        any = true;
      }
    }
  }
  for (int f = 0; f < kFiles; ++f) {
    EXPECT_TRUE(readers[f]->status().ok());
    EXPECT_TRUE(got[f] == contents[f]) << "file " << f;
  }
}

// A UTF-8 BOM is dropped and the mapped windows start after it: file offsets and buffer offsets
// differ by the BOM's three bytes.
TEST(LineReader, MappedFileWithUtf8BomReadsTheSameLinesAsMemory) {
  std::string body;
  for (int i = 0; i < 300000; ++i) body += "line " + std::to_string(i) + " \xE6\x97\xA5\n";
  TempFile f("kw_bom");
  f.Write("\xEF\xBB\xBF" + body);
  auto mapped = LineReader::Open(f.path);
  ASSERT_TRUE(mapped.ok());
  auto a = ReadAll(**mapped);
  auto b = ReadAll(*LineReader::FromString(body, "m"));
  EXPECT_EQ((*mapped)->encoding(), TextEncoding::kUtf8Bom);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.front(), "line 0 \xE6\x97\xA5");
}

TEST(ReadTextFile, JoinsLinesWithNewlinesWhateverTheyEndedWith) {
  TempFile f("kw_text");
  f.Write("hosts:\r\n  - name: a\n  - name: b");
  auto text = ReadTextFile(f.path, "a topology");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "hosts:\n  - name: a\n  - name: b\n");
}

TEST(ReadTextFile, NulBytesAndOverLongLinesAreErrorsNotCutData) {
  TempFile nul("kw_text_nul");
  nul.Write(std::string("{\"src\": \"a\"}\n") + std::string(2, '\0'));
  auto bin = ReadTextFile(nul.path, "observations");
  EXPECT_EQ(bin.status().code(), StatusCode::kUnrecognized);
  EXPECT_NE(bin.status().message().find("not observations"), std::string::npos);

  TempFile longer("kw_text_long");
  longer.Write("first\n" + std::string(LineReader::kMaxLineBytes + 10, 'x') + "\nthird\n");
  auto cut = ReadTextFile(longer.path, "observations");
  EXPECT_EQ(cut.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(cut.status().loc().file, longer.path);
  EXPECT_EQ(cut.status().loc().line, 2);

  EXPECT_EQ(ReadTextFile(longer.path + ".absent", "observations").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace kiriwake::ingest
