#include "ingest/line_reader.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kiriwake::ingest
