#include "varpulis/engine/checkpoint_capture.h"

#include <string>

#include <gtest/gtest.h>

#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

namespace varpulis::engine {
namespace {

StreamFingerprints Fingerprints(const std::string& text) {
  lang::SourceFile file("test.vpl", text);
  lang::ParseResult parsed = lang::Parse(file);
  EXPECT_TRUE(parsed.program != nullptr);
  return FingerprintStreams(file.text(), *parsed.program);
}

TEST(CheckpointCaptureTest, CanonicalTextDropsCommentsAndWhitespaceButNotStrings) {
  EXPECT_EQ(CanonicalText("stream A = B   # note\n    .where(x > 1) // more\n"),
            "stream A = B .where(x > 1)");
  EXPECT_EQ(CanonicalText("a /* block\n comment */ b"), "a b");
  EXPECT_EQ(CanonicalText("s == \"a  # b // c\""), "s == \"a  # b // c\"");
  EXPECT_EQ(CanonicalText("s == 'it\\'s  x'"), "s == 'it\\'s  x'");
}

constexpr const char* kProgram = R"(let W = 10s

stream Totals = Sale
    .window(W)
    .aggregate(n: count(), total: sum(amount))
    .emit()

stream Quads = Sale
    .window(4)
    .aggregate(q: count())
    .emit()
)";

TEST(CheckpointCaptureTest, ReformattingDoesNotChangeFingerprints) {
  StreamFingerprints a = Fingerprints(kProgram);
  StreamFingerprints b = Fingerprints(R"(# the same program, reformatted
let W = 10s
stream Totals = Sale
  .window(W)        # ten seconds
  .aggregate(n: count(),   total: sum(amount))
  .emit()
stream Quads = Sale .window(4) .aggregate(q: count()) .emit()
)");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
}

TEST(CheckpointCaptureTest, AChangedStreamOrConstantItUsesChangesOnlyItsFingerprint) {
  StreamFingerprints a = Fingerprints(kProgram);
  std::string quads_changed = kProgram;
  quads_changed.replace(quads_changed.find(".window(4)"), 10, ".window(3)");
  StreamFingerprints b = Fingerprints(quads_changed);
  EXPECT_EQ(a.at("Totals"), b.at("Totals"));
  EXPECT_NE(a.at("Quads"), b.at("Quads"));

  std::string w_changed = kProgram;
  w_changed.replace(w_changed.find("10s"), 3, "20s");
  StreamFingerprints c = Fingerprints(w_changed);
  EXPECT_NE(a.at("Totals"), c.at("Totals"));  // uses W
  EXPECT_EQ(a.at("Quads"), c.at("Quads"));    // does not
}

TEST(CheckpointCaptureTest, OperatorFingerprintsDifferPerOperator) {
  EXPECT_NE(OperatorFingerprint(1, "Totals/0:window.tumbling"),
            OperatorFingerprint(1, "Totals/1:emit"));
  EXPECT_NE(OperatorFingerprint(1, "Totals/0:window.tumbling"),
            OperatorFingerprint(2, "Totals/0:window.tumbling"));
}

}  // namespace
}  // namespace varpulis::engine
