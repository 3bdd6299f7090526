// In-process tests of the shell's loop (Repl) with a scripted LineReader:
// Ctrl-C cancelling input, comments, .read, the exact item count of .stats,
// and the SIGINT handler itself.

#include "shell/repl.h"

#include <signal.h>

#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/database.h"
#include "kstone/item.h"
#include "shell/dot_commands.h"
#include "shell/interrupt.h"
#include "shell/line_reader.h"
#include "shell/transfer.h"
#include "tests/testing/scratch_dir.h"

namespace kstone::shell {
namespace {

using ::kstone::testing::ScratchDir;
using ::testing::HasSubstr;
using ::testing::Not;

// Replays a script of reads: lines, Ctrl-C, and then end of input.
class ScriptedReader : public LineReader {
 public:
  ScriptedReader& Line(std::string line) {
    script_.emplace_back(ReadResult::kLine, std::move(line));
    return *this;
  }
  ScriptedReader& CtrlC() {
    script_.emplace_back(ReadResult::kInterrupted, "");
    return *this;
  }

  ReadResult Read(const std::string& prompt, std::string* line) override {
    prompts_.push_back(prompt);
    if (script_.empty()) return ReadResult::kEndOfInput;
    auto [result, text] = std::move(script_.front());
    script_.pop_front();
    if (result == ReadResult::kLine) *line = std::move(text);
    return result;
  }

  const std::vector<std::string>& prompts() const { return prompts_; }

 private:
  std::deque<std::pair<ReadResult, std::string>> script_;
  std::vector<std::string> prompts_;
};

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome RunRepl(ScriptedReader& reader, ReplOptions options = {}) {
  absl::StatusOr<Database> db = Database::CreateInMemory();
  EXPECT_TRUE(db.ok()) << db.status();
  std::ostringstream out, err;
  Repl repl(std::move(*db), &out, &err, options);
  int status = repl.Run(&reader);
  return {status, out.str(), err.str()};
}

TEST(ReplTest, CtrlCDropsTheMultiLineStatementAndIsNoFailure) {
  ScriptedReader reader;
  reader.Line("SELECT *").Line("FROM t").CtrlC().Line("put k {}").Line("get k");
  Outcome o = RunRepl(reader);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out, "Item stored\n{\n  \"pk\": \"k\"\n}\n");
  // The prompt goes back to the first-line prompt after Ctrl-C.
  ASSERT_GE(reader.prompts().size(), 4u);
  EXPECT_EQ(reader.prompts()[1], "   ...> ");
  EXPECT_EQ(reader.prompts()[2], "   ...> ");
  EXPECT_EQ(reader.prompts()[3], "kstone> ");
}

TEST(ReplTest, WithoutCtrlCTheStatementSwallowsTheNextLines) {
  // The contrast: the same input without Ctrl-C keeps accumulating.
  ScriptedReader reader;
  reader.Line("SELECT *").Line("FROM t").Line("put k {}");
  Outcome o = RunRepl(reader);
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_THAT(o.err, HasSubstr("missing ';'"));
}

TEST(ReplTest, CtrlCOnAnEmptyPromptJustPromptsAgain) {
  ScriptedReader reader;
  reader.CtrlC().CtrlC().Line("put k {}");
  Outcome o = RunRepl(reader);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "Item stored\n");
  EXPECT_EQ(reader.prompts().size(), 4u);  // 3 reads + the final EOF
}

TEST(ReplTest, EndOfInputEndsTheLoop) {
  ScriptedReader reader;
  reader.Line("put k {}");
  Outcome o = RunRepl(reader);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(reader.prompts().size(), 2u);
}

TEST(ReplTest, StripComment) {
  EXPECT_EQ(StripComment("-- all"), "");
  EXPECT_EQ(StripComment("get a -- note"), "get a ");
  EXPECT_EQ(StripComment("get a\t--note"), "get a\t");
  EXPECT_EQ(StripComment("get a--b"), "get a--b");
  EXPECT_EQ(StripComment("get 'a -- b'"), "get 'a -- b'");
  EXPECT_EQ(StripComment("get 'it''s' -- x"), "get 'it''s' ");
  EXPECT_EQ(StripComment(R"(put k {"s": "x -- y"} -- z)"),
            R"(put k {"s": "x -- y"} )");
  EXPECT_EQ(StripComment(R"(put k {"s": "q\" -- y"})"),
            R"(put k {"s": "q\" -- y"})");
  EXPECT_EQ(StripComment("SELECT * FROM t; -- done"), "SELECT * FROM t; ");
}

TEST(ReplTest, StatementEndsBeforeATrailingComment) {
  ScriptedReader reader;
  reader.Line("SELECT * -- first").Line("FROM t; -- done").Line("put k {}");
  Outcome o = RunRepl(reader);
  // The SELECT ran (and failed: no PartiQL yet); put ran on its own.
  EXPECT_EQ(o.out, "Item stored\n");
  EXPECT_THAT(o.err, HasSubstr("UNIMPLEMENTED"));
  EXPECT_THAT(o.err, Not(HasSubstr("done")));
}

TEST(ReplTest, ReadRunsAFileAndStopsAtSelfReference) {
  ScratchDir dir;
  const std::string script = dir.Sub("s.kst");
  std::ofstream(script) << "put a {\"n\": 1}\n.read " << script
                        << "\nSELECT *\n";
  ScriptedReader reader;
  reader.Line(".read " + script).Line("get a");
  Outcome o = RunRepl(reader);
  EXPECT_EQ(o.status, 1);
  // 16 nested levels each stored the item, then the 17th was refused.
  size_t stored = 0;
  for (size_t p = o.out.find("Item stored"); p != std::string::npos;
       p = o.out.find("Item stored", p + 1)) {
    ++stored;
  }
  EXPECT_EQ(stored, 16u);
  EXPECT_THAT(o.err, HasSubstr("nested more than 16 deep"));
  // Each file's unfinished "SELECT *" is its own error at its end; the
  // shell's own input goes on afterwards.
  EXPECT_THAT(o.err, HasSubstr("missing ';'"));
  EXPECT_THAT(o.out, HasSubstr("\"n\": 1"));
}

TEST(ReplTest, ReadOfAMissingFileNamesIt) {
  ScriptedReader reader;
  reader.Line(".read /nonexistent/kstone/x.kst");
  Outcome o = RunRepl(reader);
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.err, HasSubstr("Error: NOT_FOUND: cannot read "
                               "/nonexistent/kstone/x.kst"));
}

TEST(ReplTest, BailInsideReadStopsEverything) {
  ScratchDir dir;
  const std::string script = dir.Sub("s.kst");
  std::ofstream(script) << ".bogus\nput a {}\n";
  ScriptedReader reader;
  reader.Line(".read " + script).Line("put b {}");
  ReplOptions options;
  options.bail = true;
  Outcome o = RunRepl(reader, options);
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(o.out, "");
}

// The items: line of .stats.
std::string ItemsLine(Database& db) {
  std::ostringstream out, err;
  ShellContext ctx;
  ctx.db = &db;
  ctx.out = &out;
  ctx.err = &err;
  absl::Status s = RunDotCommand(ctx, ".stats");
  EXPECT_TRUE(s.ok()) << s;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("items:", 0) == 0) return line;
  }
  return "(no items line)";
}

TEST(StatsTest, ItemCountIsExactAcrossPagesFlushesAndDeletes) {
  absl::StatusOr<Database> db = Database::CreateInMemory();
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(ItemsLine(*db),
            "items:            0 (exact, counted by a full scan)");
  // ~1 KB items: 3000 of them fill several 1 MB scan pages.
  const std::string filler(1000, 'x');
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(db->Put(Key("k" + std::to_string(i)),
                        ItemBuilder().String("f", filler).Build())
                    .ok());
  }
  ASSERT_TRUE(db->Flush().ok());
  for (int i = 0; i < 3000; i += 3) {
    ASSERT_TRUE(db->Delete(Key("k" + std::to_string(i))).ok());  // 1000 gone
  }
  for (int i = 1; i < 100; i += 3) {  // overwrites do not count twice
    ASSERT_TRUE(db->Put(Key("k" + std::to_string(i)),
                        ItemBuilder().Number("n", "1").Build())
                    .ok());
  }
  EXPECT_EQ(ItemsLine(*db),
            "items:            2000 (exact, counted by a full scan)");
  absl::StatusOr<int64_t> n = CountItems(*db);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2000);
}

TEST(StatsTest, CtrlCStopsTheCount) {
  absl::StatusOr<Database> db = Database::CreateInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Put(Key("a"), Item()).ok());
  RequestInterrupt();
  EXPECT_EQ(ItemsLine(*db), "items:            not counted (interrupted)");
  EXPECT_TRUE(absl::IsCancelled(CountItems(*db).status()));
  ClearInterrupt();
  absl::StatusOr<int64_t> n = CountItems(*db);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
}

TEST(ImportTest, BatchesKeepOrderDuplicatesAndTheFirstBadLine) {
  ScratchDir dir;
  const std::string file = dir.Sub("items.jsonl");
  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";  // nesting > 32
  std::ofstream(file) << "{\"pk\": \"a\", \"v\": 1}\n"
                      << "{\"pk\": \"b\"}\n"
                      << "{\"pk\": \"a\", \"v\": 2}\n"  // same key again
                      << "{\"pk\": \"c\"}\n"
                      << "{\"pk\": \"d\", \"x\": " << deep << "}\n"
                      << "{\"pk\": \"e\"}\n";
  absl::StatusOr<Database> db = Database::CreateInMemory();
  ASSERT_TRUE(db.ok());
  absl::StatusOr<int64_t> n = ImportItems(*db, file, TransferFormat::kJsonl);
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.status().message(), HasSubstr(file + " line 5: "));
  EXPECT_THAT(n.status().message(), HasSubstr("(4 items stored before it)"));
  absl::StatusOr<std::optional<Item>> a = db->Get(Key("a"));
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->ToJson(), R"({"pk":"a","v":2})") << "the later line wins";
  for (const char* k : {"b", "c"}) {
    absl::StatusOr<std::optional<Item>> got = db->Get(Key(k));
    EXPECT_TRUE(got.ok() && got->has_value()) << k;
  }
  for (const char* k : {"d", "e"}) {
    absl::StatusOr<std::optional<Item>> got = db->Get(Key(k));
    EXPECT_TRUE(got.ok() && !got->has_value()) << k;
  }
  absl::StatusOr<int64_t> count = CountItems(*db);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

TEST(ImportTest, ManyItemsRoundTripThroughExport) {
  ScratchDir dir;
  absl::StatusOr<Database> db = Database::CreateInMemory();
  ASSERT_TRUE(db.ok());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(db->Put(Key("k" + std::to_string(i)),
                        ItemBuilder().Number("i", i).Build())
                    .ok());
  }
  const std::string file = dir.Sub("all.ddbjson");
  absl::StatusOr<int64_t> out =
      ExportItems(*db, file, TransferFormat::kDdbJson);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, 1000);
  absl::StatusOr<Database> copy = Database::CreateInMemory();
  ASSERT_TRUE(copy.ok());
  absl::StatusOr<int64_t> in =
      ImportItems(*copy, file, TransferFormat::kDdbJson);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(*in, 1000);
  absl::StatusOr<std::optional<Item>> k7 = copy->Get(Key("k7"));
  ASSERT_TRUE(k7.ok() && k7->has_value());
  EXPECT_EQ((*k7)->ToJson(), R"({"i":7,"pk":"k7"})");
}

TEST(InterruptTest, HandlerOnlySetsTheFlagAndIsRestored) {
  struct sigaction before;
  ASSERT_EQ(sigaction(SIGINT, nullptr, &before), 0);
  {
    ScopedInterruptHandler handler;
    ASSERT_TRUE(handler.installed());
    EXPECT_FALSE(InterruptPending());
    ASSERT_EQ(raise(SIGINT), 0);  // would end the test binary by default
    EXPECT_TRUE(InterruptPending());
    EXPECT_TRUE(TakeInterrupt());
    EXPECT_FALSE(TakeInterrupt());
    struct sigaction now;
    ASSERT_EQ(sigaction(SIGINT, nullptr, &now), 0);
    EXPECT_NE(now.sa_flags & SA_RESTART, 0) << "other syscalls restart";
  }
  struct sigaction after;
  ASSERT_EQ(sigaction(SIGINT, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

}  // namespace
}  // namespace kstone::shell
