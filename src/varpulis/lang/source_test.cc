#include "varpulis/lang/source.h"

#include <gtest/gtest.h>

#include "varpulis/lang/diagnostics.h"

namespace varpulis::lang {
namespace {

TEST(SourceFileTest, PositionsAreOneBasedLinesAndCharacterColumns) {
  SourceFile f("p.vpl", "ab\n\tcd\n\xC3\xA9x\n");
  EXPECT_EQ(f.line_count(), 4u);
  EXPECT_EQ(f.PositionOf(0).line, 1u);
  EXPECT_EQ(f.PositionOf(0).column, 1u);
  EXPECT_EQ(f.PositionOf(1).column, 2u);
  // A tab counts as one character.
  EXPECT_EQ(f.PositionOf(4).line, 2u);
  EXPECT_EQ(f.PositionOf(4).column, 2u);
  // 'x' follows a two-byte character: byte offset 9, column 2.
  EXPECT_EQ(f.PositionOf(9).line, 3u);
  EXPECT_EQ(f.PositionOf(9).column, 2u);
  EXPECT_EQ(f.LineText(2), "\tcd");
  EXPECT_EQ(f.LineText(4), "");
}

TEST(SourceFileTest, LineTextDropsCarriageReturn) {
  SourceFile f("p.vpl", "a\r\nb");
  EXPECT_EQ(f.LineText(1), "a");
  EXPECT_EQ(f.LineText(2), "b");
}

TEST(SourceFileTest, ByteOrderMarkTakesNoColumn) {
  SourceFile f("p.vpl", "\xEF\xBB\xBFlet x = $");
  EXPECT_EQ(f.PositionOf(3).column, 1u);
  EXPECT_EQ(f.PositionOf(11).column, 9u);
  Diagnostics d;
  d.Error("E100", Span{11, 12}, "m");
  EXPECT_EQ(d.Render(f), "p.vpl:1:9: error[E100]: m\n\xEF\xBB\xBFlet x = $\n        ^\n");
}

TEST(SourceFileTest, OffsetsPastTheEndClamp) {
  SourceFile f("p.vpl", "abc");
  EXPECT_EQ(f.PositionOf(100).column, 4u);
}

TEST(DiagnosticsTest, RendersTheSpecFormat) {
  SourceFile f("program.vpl", "stream S = A\n    .emit(name: uper(name))\n");
  Diagnostics d;
  d.Error("E050", Span{29, 33}, "unknown function 'uper'", "did you mean 'upper'?");
  EXPECT_EQ(d.Render(f),
            "program.vpl:2:17: error[E050]: unknown function 'uper'\n"
            "    .emit(name: uper(name))\n"
            "                ^^^^\n"
            "  hint: did you mean 'upper'?\n");
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(d.error_count(), 1u);
}

TEST(DiagnosticsTest, WarningsHaveNoHintLineWhenHintIsEmpty) {
  SourceFile f("p.vpl", "x");
  Diagnostics d;
  d.Warning("W001", Span{0, 1}, "something");
  EXPECT_EQ(d.Render(f), "p.vpl:1:1: warning[W001]: something\nx\n^\n");
  EXPECT_FALSE(d.has_errors());
  EXPECT_EQ(d.warning_count(), 1u);
}

TEST(DiagnosticsTest, CaretCopiesTabsAndCountsCharacters) {
  SourceFile f("p.vpl", "\t\xC3\xA9 bad");
  Diagnostics d;
  d.Error("E100", Span{4, 7}, "m");
  EXPECT_EQ(d.Render(f), "p.vpl:1:4: error[E100]: m\n\t\xC3\xA9 bad\n\t  ^^^\n");
}

TEST(DiagnosticsTest, EmptySpanAtEndOfInputGetsOneCaret) {
  SourceFile f("p.vpl", "let x =");
  Diagnostics d;
  d.Error("E100", Span{7, 7}, "expected an expression, found end of input");
  EXPECT_EQ(d.Render(f),
            "p.vpl:1:8: error[E100]: expected an expression, found end of input\n"
            "let x =\n"
            "       ^\n");
}

TEST(DiagnosticsTest, MultiLineSpanUnderlinesToEndOfFirstLine) {
  SourceFile f("p.vpl", "abc def\nghi");
  Diagnostics d;
  d.Error("E100", Span{4, 10}, "m");
  EXPECT_EQ(d.Render(f), "p.vpl:1:5: error[E100]: m\nabc def\n    ^^^\n");
}

TEST(DiagnosticsTest, SortBySourceOrderIsStable) {
  Diagnostics d;
  d.Error("E2", Span{5, 6}, "b");
  d.Error("E1", Span{1, 2}, "a");
  d.Error("E3", Span{5, 6}, "c");
  d.SortBySourceOrder();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.items()[0].code, "E1");
  EXPECT_EQ(d.items()[1].code, "E2");
  EXPECT_EQ(d.items()[2].code, "E3");
}

}  // namespace
}  // namespace varpulis::lang
