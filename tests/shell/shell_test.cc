// Black-box tests of the `kstone` binary (KSTONE_BINARY, set by
// tests/CMakeLists.txt): arguments, piped stdin, stdout, stderr and exit
// status, as SHELL.md fixes them.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"

#ifndef KSTONE_BINARY
#error "KSTONE_BINARY must name the kstone executable"
#endif

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Result {
  std::string out;
  std::string err;
  int status = -1;  // exit status, or -1 if it did not exit normally
};

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class ShellTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // Runs kstone with `args`, feeding `input` on stdin (a file, so never a
  // terminal), with HOME pointing into the temp dir.
  Result Run(const std::vector<std::string>& args,
             const std::string& input = "") {
    const std::string in_path = Path("stdin"), out_path = Path("stdout"),
                      err_path = Path("stderr");
    std::ofstream(in_path, std::ios::binary) << input;
    pid_t pid = fork();
    if (pid == 0) {
      int in = open(in_path.c_str(), O_RDONLY);
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0) _exit(127);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      setenv("HOME", dir_.path().c_str(), 1);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(KSTONE_BINARY));
      for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(KSTONE_BINARY, argv.data());
      _exit(127);
    }
    Result r;
    int wstatus = 0;
    if (pid > 0 && waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus)) {
      r.status = WEXITSTATUS(wstatus);
    }
    r.out = ReadAll(out_path);
    r.err = ReadAll(err_path);
    return r;
  }

  const kstone::testing::ScratchDir dir_;
};

TEST_F(ShellTest, VersionAndHelp) {
  for (const char* flag : {"--version", "version"}) {
    Result r = Run({flag});
    EXPECT_EQ(r.status, 0);
    EXPECT_THAT(r.out, StartsWith("kstone "));
    EXPECT_THAT(r.out, HasSubstr("."));
  }
  Result help = Run({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("Usage: kstone"));
  EXPECT_THAT(help.out, HasSubstr("create PATH"));
}

TEST_F(ShellTest, BadUsageExitsTwo) {
  Result none = Run({});
  EXPECT_EQ(none.status, 2);
  EXPECT_THAT(none.err, HasSubstr("Usage"));
  Result unknown = Run({"frobnicate"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.err, StartsWith("Error: VALIDATION: "));
  EXPECT_THAT(unknown.err, HasSubstr("frobnicate"));
  Result missing = Run({"get", Path("db")});
  EXPECT_EQ(missing.status, 2);
  Result bad_flag = Run({"get", Path("db"), "k", "--nope"});
  EXPECT_EQ(bad_flag.status, 2);
  EXPECT_THAT(bad_flag.err, HasSubstr("--nope"));
}

TEST_F(ShellTest, CreatePutGetDelete) {
  const std::string db = Path("db");
  Result c = Run({"create", db});
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(c.out, "Database created: " + db + "\n");

  Result p = Run(
      {"put", db, "user#1",
       R"({"name": "Alice", "age": 30, "score": 1.50, "tags": ["a", true, null]})"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(p.out, "Item stored\n");
  EXPECT_EQ(p.err, "");

  Result g = Run({"get", db, "user#1"});
  ASSERT_EQ(g.status, 0) << g.err;
  // Pretty JSON, keys sorted, numbers exact and normalised.
  EXPECT_EQ(g.out,
            "{\n"
            "  \"age\": 30,\n"
            "  \"name\": \"Alice\",\n"
            "  \"pk\": \"user#1\",\n"
            "  \"score\": 1.5,\n"
            "  \"tags\": [\n"
            "    \"a\",\n"
            "    true,\n"
            "    null\n"
            "  ]\n"
            "}\n");

  Result d = Run({"delete", db, "user#1"});
  EXPECT_EQ(d.status, 0) << d.err;
  EXPECT_EQ(d.out, "Item deleted\n");

  Result gone = Run({"get", db, "user#1"});
  EXPECT_EQ(gone.status, 1);
  EXPECT_EQ(gone.out, "Item not found\n");
}

TEST_F(ShellTest, SortKeyOption) {
  const std::string db = Path("db");
  ASSERT_EQ(Run({"create", db}).status, 0);
  ASSERT_EQ(Run({"put", db, "u", "--sk", "a", R"({"n": 1})"}).status, 0);
  ASSERT_EQ(Run({"put", db, "u", R"({"n": 0})"}).status, 0);
  Result a = Run({"get", db, "u", "--sk", "a"});
  EXPECT_EQ(a.status, 0);
  EXPECT_THAT(a.out, HasSubstr("\"sk\": \"a\""));
  EXPECT_THAT(a.out, HasSubstr("\"n\": 1"));
  Result none = Run({"get", db, "u"});
  EXPECT_THAT(none.out, HasSubstr("\"n\": 0"));
  EXPECT_THAT(none.out, Not(HasSubstr("\"sk\"")));
}

TEST_F(ShellTest, SchemaFileTypesTheKeys) {
  const std::string db = Path("db");
  std::ofstream(Path("schema.json"))
      << R"({"partition_key": {"name": "id", "type": "N"}, "sort_key": null})";
  Result c = Run({"create", db, "--schema", Path("schema.json")});
  ASSERT_EQ(c.status, 0) << c.err;
  ASSERT_EQ(Run({"put", db, "1e3", R"({"x": "y"})"}).status, 0);
  Result g = Run({"get", db, "1000"});
  EXPECT_EQ(g.status, 0) << g.err;
  EXPECT_THAT(g.out, HasSubstr("\"id\": 1000"));
  Result sk = Run({"get", db, "1000", "--sk", "x"});
  EXPECT_EQ(sk.status, 1);
  EXPECT_THAT(sk.err, StartsWith("Error: VALIDATION: "));

  std::ofstream(Path("bad.json")) << R"({"partition_key": {"type": "X"}})";
  Result bad = Run({"create", Path("db2"), "--schema", Path("bad.json")});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err, HasSubstr("partition_key.type"));
}

TEST_F(ShellTest, ErrorsNameTheRealCause) {
  const std::string db = Path("db");
  Result missing = Run({"get", db, "k"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.err, StartsWith("Error: NOT_FOUND: "));
  EXPECT_THAT(missing.err, HasSubstr(db));

  ASSERT_EQ(Run({"create", db}).status, 0);
  Result again = Run({"create", db});
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, StartsWith("Error: ALREADY_EXISTS: "));

  Result array = Run({"put", db, "k", "[1, 2]"});
  EXPECT_EQ(array.status, 1);
  EXPECT_THAT(array.err, StartsWith("Error: VALIDATION: "));
  EXPECT_THAT(array.err, HasSubstr("object"));

  Result bad_json = Run({"put", db, "k", "{\"a\": }"});
  EXPECT_EQ(bad_json.status, 1);
  EXPECT_THAT(bad_json.err, StartsWith("Error: VALIDATION: "));

  Result empty_key = Run({"put", db, "", "{}"});
  EXPECT_EQ(empty_key.status, 1);
  EXPECT_THAT(empty_key.err, StartsWith("Error: VALIDATION: "));
}

TEST_F(ShellTest, StatsAndCompact) {
  const std::string db = Path("db");
  ASSERT_EQ(Run({"create", db}).status, 0);
  ASSERT_EQ(Run({"put", db, "k", "{}"}).status, 0);
  Result s = Run({"stats", db});
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("items:            1 (exact"));
  EXPECT_THAT(s.out, HasSubstr("SST count:"));
  EXPECT_THAT(s.out, HasSubstr("WAL bytes:"));
  Result c = Run({"compact", db});
  EXPECT_EQ(c.status, 0) << c.err;
  Result g = Run({"get", db, "k"});
  EXPECT_EQ(g.status, 0) << "compaction keeps the item";
}

TEST_F(ShellTest, PipedShellPrintsOnlyResults) {
  Result r = Run({"shell", ":memory:"},
                 "put user#1 {\"name\": \"Ann\"}\n"
                 "get user#1\n"
                 "put 'two words' sk1 {\"n\": 2};\n"
                 "get 'two words' sk1;\n"
                 "-- a comment\n"
                 "\n"
                 "delete user#1\n"
                 "get user#1\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "Item stored\n"
            "{\n  \"name\": \"Ann\",\n  \"pk\": \"user#1\"\n}\n"
            "Item stored\n"
            "{\n  \"n\": 2,\n  \"pk\": \"two words\",\n  \"sk\": \"sk1\"\n}\n"
            "Item deleted\n"
            "Item not found\n");
}

TEST_F(ShellTest, ShellWithoutArgumentIsInMemory) {
  Result r = Run({"shell"}, ".schema\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("partition key: pk (S)"));
  EXPECT_THAT(r.out, Not(HasSubstr("kstone>")));
}

TEST_F(ShellTest, FailuresGoOnAndSetExitStatus) {
  Result r = Run({"shell"},
                 ".bogus\n"
                 ".exti\n"
                 "put k [1]\n"
                 "frobnicate\n"
                 "put k {\"ok\": true}\n"
                 "SELECT * FROM t;\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "Item stored\n") << "the shell went on after errors";
  std::vector<std::string> lines;
  std::stringstream ss(r.err);
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << r.err;
  EXPECT_THAT(lines[0],
              StartsWith("Error: VALIDATION: Unknown command: .bogus"));
  EXPECT_THAT(lines[1],
              HasSubstr("Unknown command: .exti. Did you mean .exit?"));
  EXPECT_THAT(lines[2], StartsWith("Error: VALIDATION: "));
  EXPECT_THAT(lines[3], HasSubstr("frobnicate"));
  EXPECT_THAT(lines[4], StartsWith("Error: UNIMPLEMENTED: "));
}

TEST_F(ShellTest, BailStopsAtFirstError) {
  Result r = Run({"shell", "--bail"}, ".bogus\nput k {}\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
}

TEST_F(ShellTest, ExitStopsReading) {
  Result r = Run({"shell"}, "put k {}\n.exit\n.bogus\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Item stored\n");
}

TEST_F(ShellTest, IncompleteStatementAtEofFails) {
  Result r = Run({"shell"}, "SELECT *\nFROM t\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("missing ';'"));
}

TEST_F(ShellTest, HelpComesFromTheCommandTable) {
  Result r = Run({"shell"}, ".help\n");
  EXPECT_EQ(r.status, 0);
  for (const char* c :
       {".help", ".exit", ".quit", ".schema", ".stats", ".flush", ".compact",
        ".format", ".timer", ".indexes", ".import", ".export", ".save", ".open",
        ".read", ".clear"}) {
    EXPECT_THAT(r.out, HasSubstr(c));
  }
  Result wrong = Run({"shell"}, ".stats extra\n");
  EXPECT_EQ(wrong.status, 1);
  EXPECT_THAT(wrong.err, HasSubstr("usage: .stats"));
}

TEST_F(ShellTest, ShellOnDirectoryDatabase) {
  const std::string db = Path("db");
  Result missing = Run({"shell", db}, "");
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.err, StartsWith("Error: NOT_FOUND: "));

  Result created = Run({"shell", db, "--create"}, "put a {\"n\": 1}\n");
  ASSERT_EQ(created.status, 0) << created.err;
  Result g = Run({"get", db, "a"});
  EXPECT_EQ(g.status, 0);
  EXPECT_THAT(g.out, HasSubstr("\"n\": 1"));
  Result s = Run({"shell", db}, "get a\n.flush\n.compact\n.stats\n");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("\"n\": 1"));
  EXPECT_THAT(s.out, HasSubstr("Flushed"));
  EXPECT_THAT(s.out, HasSubstr("stripes in use:"));
  EXPECT_THAT(s.out, HasSubstr("SST filter bytes: 96\n"));  // one stripe
}

TEST_F(ShellTest, NumberKeysInShell) {
  const std::string db = Path("db");
  std::ofstream(Path("schema.json"))
      << R"({"partition_key": {"name": "id", "type": "N"}})";
  ASSERT_EQ(Run({"create", db, "--schema", Path("schema.json")}).status, 0);
  Result r = Run({"shell", db}, "put 1e3 {\"x\": 1}\nget 1000\nget abc\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("\"id\": 1000"));
  EXPECT_THAT(r.err, StartsWith("Error: VALIDATION: "));
}

TEST_F(ShellTest, StatsCountsItemsExactly) {
  Result r = Run({"shell"},
                 "put a {}\nput b {}\nput c {}\nput a {\"n\": 2}\n"
                 "delete b\n.flush\nput d {}\n.stats\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("items:            3 (exact, counted by a full "
                               "scan)\n"));
}

TEST_F(ShellTest, FormatAndTimerSettings) {
  Result r =
      Run({"shell"},
          ".format\n.format csv\n.format\n.format xml\n.timer on\n"
          "put k {}\nget k\nget nope\n.timer off\nget k\n.timer maybe\n");
  EXPECT_EQ(r.status, 1);
  // Piped output defaults to json.
  EXPECT_THAT(r.out, StartsWith("json\ncsv\nItem stored\n1 row(s) ("));
  EXPECT_THAT(r.out, HasSubstr("Item not found\n0 row(s) ("));
  EXPECT_THAT(r.out, HasSubstr(" ms)\n"));
  EXPECT_EQ(r.out.find("row(s)", r.out.rfind("\"pk\"")), std::string::npos)
      << "no timing after .timer off";
  EXPECT_THAT(r.err, HasSubstr("unknown format \"xml\" (valid: table, json, "
                               "jsonl, compact, csv, ddbjson)"));
  EXPECT_THAT(r.err, HasSubstr(".timer: expected on or off, got \"maybe\""));
}

TEST_F(ShellTest, ExportImportRoundTripsBothFormats) {
  const std::string jsonl = Path("items.jsonl"), ddb = Path("items.ddbjson");
  Result e = Run({"shell"},
                 "put a {\"n\": 1.50, \"s\": \"x\", \"b\": true}\n"
                 "put 'b c' sk1 {\"l\": [1, \"two\", null]}\n"
                 ".export " +
                     jsonl + "\n.export " + ddb + "\n");
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_THAT(e.out, HasSubstr("Exported 2 item(s) to " + jsonl));
  EXPECT_THAT(ReadAll(jsonl),
              HasSubstr(R"({"b":true,"n":1.5,"pk":"a","s":"x"})"));
  EXPECT_THAT(ReadAll(ddb), HasSubstr(R"("n":{"N":"1.5"})"));
  for (const std::string& file : {jsonl, ddb}) {
    Result i = Run({"shell"}, ".import " + file + "\nget a\nget 'b c' sk1\n");
    EXPECT_EQ(i.status, 0) << i.err;
    EXPECT_THAT(i.out, HasSubstr("Imported 2 item(s) from " + file));
    EXPECT_THAT(i.out, HasSubstr("\"n\": 1.5"));
    EXPECT_THAT(i.out, HasSubstr("\"two\""));
  }
  Result bad_ext = Run({"shell"}, ".export " + Path("x.txt") + "\n");
  EXPECT_EQ(bad_ext.status, 1);
  EXPECT_THAT(bad_ext.err, HasSubstr(".jsonl"));
  std::ofstream(Path("bad.jsonl")) << "{\"pk\": \"ok\"}\n\n[1]\n";
  Result bad = Run({"shell"}, ".import " + Path("bad.jsonl") + "\nget ok\n");
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err, StartsWith("Error: VALIDATION: " + Path("bad.jsonl") +
                                  " line 3: "));
  EXPECT_THAT(bad.err, HasSubstr("(1 items stored before it)"));
  EXPECT_THAT(bad.out, HasSubstr("\"pk\": \"ok\""));
}

TEST_F(ShellTest, ImportExportSubcommands) {
  const std::string db = Path("db"), file = Path("out.ddbjson");
  ASSERT_EQ(Run({"create", db}).status, 0);
  ASSERT_EQ(Run({"put", db, "k", R"({"v": 7})"}).status, 0);
  Result e = Run({"export", db, file});
  EXPECT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(e.out, "Exported 1 item(s) to " + file + "\n");
  EXPECT_EQ(ReadAll(file), "{\"pk\":{\"S\":\"k\"},\"v\":{\"N\":\"7\"}}\n");
  const std::string db2 = Path("db2");
  ASSERT_EQ(Run({"create", db2}).status, 0);
  Result i = Run({"import", db2, file});
  EXPECT_EQ(i.status, 0) << i.err;
  EXPECT_THAT(Run({"get", db2, "k"}).out, HasSubstr("\"v\": 7"));
  Result fmt = Run({"export", db, Path("x.csv"), "--format", "csv"});
  EXPECT_EQ(fmt.status, 2);
  EXPECT_THAT(fmt.err, HasSubstr("valid: jsonl, ddbjson"));
}

TEST_F(ShellTest, SaveAndOpen) {
  const std::string db = Path("saved");
  Result r = Run({"shell"}, "put a {\"n\": 1}\n.save " + db + "\n.open " + db +
                                "\nget a\n.open :memory:\nget a\n.open " +
                                Path("nothing") + "\nget a\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("Saved 1 item(s) to " + db + "\nOpened " + db +
                               "\n{\n  \"n\": 1,"));
  EXPECT_THAT(r.out, HasSubstr("Opened :memory:\n"));
  // After the failed .open the fresh in-memory database is still in use.
  EXPECT_THAT(r.out, HasSubstr("Item not found\nItem not found\n"));
  EXPECT_THAT(r.err, StartsWith("Error: NOT_FOUND: "));
  Result again = Run({"shell"}, ".save " + db + "\n");
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, StartsWith("Error: ALREADY_EXISTS: "));
  Result g = Run({"get", db, "a"});
  EXPECT_EQ(g.status, 0) << "the saved database opens on its own";
}

TEST_F(ShellTest, ReadRunsAFile) {
  std::ofstream(Path("script.kst")) << "put a {}\n-- comment\nget a -- note\n";
  Result r = Run({"shell"}, ".read " + Path("script.kst") + "\nget a\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "Item stored\n{\n  \"pk\": \"a\"\n}\n{\n  \"pk\": \"a\"\n}\n");
}

TEST_F(ShellTest, SchemaIndexesAndClearWhenPiped) {
  Result r = Run({"shell"}, ".schema\n.indexes\n.clear\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("indexes:       none\n"));
  EXPECT_THAT(r.out, HasSubstr("No indexes.\n"));
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no escapes on a pipe";
}

}  // namespace
