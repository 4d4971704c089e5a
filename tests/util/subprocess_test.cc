#include "util/subprocess.h"

#include <gtest/gtest.h>

namespace kiriwake {
namespace {

TEST(Subprocess, FeedsStdinAndCapturesBothStreams) {
  SubprocessResult r;
  ASSERT_TRUE(RunSubprocess({"sh", "-c", "cat; echo oops >&2; exit 3"}, "hello\n", &r).ok());
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_EQ(r.err, "oops\n");
  EXPECT_EQ(r.exit_code, 3);
}

TEST(Subprocess, LargeOutputDoesNotDeadlock) {
  std::string big(1 << 20, 'x');
  SubprocessResult r;
  ASSERT_TRUE(RunSubprocess({"cat"}, big, &r).ok());
  EXPECT_EQ(r.out.size(), big.size());
}

TEST(Subprocess, MissingProgramIsNotFound) {
  SubprocessResult r;
  Status s = RunSubprocess({"/nonexistent/kw-program"}, "", &r);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(Subprocess, RunCheckedQuotesCommandAndStderr) {
  Status s = RunChecked({"sh", "-c", "echo broken >&2; exit 1"});
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find("broken"), std::string::npos);
}

}  // namespace
}  // namespace kiriwake
