// Each messages/<name>.eml against messages/<name>.expected: BODY, BODYSTRUCTURE, ENVELOPE and a list of
// BODY[section]<partial> fetches, as a private Dovecot 2.3.19 printed them for the same message with CRLF
// lines (tests/unit/imap_message/README.md says how they were made). The message is tried with CRLF lines and
// with the LF lines it is stored with: IMAP counts and sends CRLF either way. The structures compare as IMAP
// values (a quoted string equals a literal of the same bytes); sections byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "imap/message/body_structure.hpp"
#include "imap/message/envelope.hpp"
#include "imap/message/section.hpp"
#include "imap_value.hpp"

namespace endhost::imap::message {
namespace {

using test::parse_value;
using test::show;
using test::unescape;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(ENDHOST_IMAP_MESSAGES_DIR))
    if (e.path().extension() == ".eml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// "BODY[2.HEADER.FIELDS (SUBJECT TO)]<0.20>" as the command parser would give it.
std::pair<Section, std::optional<Partial>> parse_key(const std::string& key) {
  Section s;
  std::optional<Partial> partial;
  const auto open = key.find('['), close = key.rfind(']');
  std::string spec = key.substr(open + 1, close - open - 1);
  if (close + 1 < key.size()) {
    const std::string p = key.substr(close + 2, key.size() - close - 3);
    const auto dot = p.find('.');
    partial = Partial{static_cast<std::uint32_t>(std::stoul(p.substr(0, dot))),
                      static_cast<std::uint32_t>(std::stoul(p.substr(dot + 1)))};
  }
  std::size_t i = 0;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
    std::size_t j = i;
    while (j < spec.size() && spec[j] >= '0' && spec[j] <= '9') ++j;
    s.part.push_back(static_cast<std::uint32_t>(std::stoul(spec.substr(i, j - i))));
    i = j < spec.size() && spec[j] == '.' ? j + 1 : j;
  }
  std::string text = spec.substr(i);
  std::string list;
  if (const auto sp = text.find(' '); sp != std::string::npos) {
    list = text.substr(sp + 2, text.size() - sp - 3);
    text = text.substr(0, sp);
  }
  if (text == "HEADER") s.text = Section::Text::Header;
  if (text == "HEADER.FIELDS") s.text = Section::Text::HeaderFields;
  if (text == "HEADER.FIELDS.NOT") s.text = Section::Text::HeaderFieldsNot;
  if (text == "TEXT") s.text = Section::Text::Text;
  if (text == "MIME") s.text = Section::Text::Mime;
  std::istringstream names(list);
  for (std::string n; names >> n;) s.fields.push_back(n);
  return {s, partial};
}

std::string crlf(const std::string& lf) {
  std::string out;
  for (const char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

class Fixture : public ::testing::TestWithParam<std::string> {};

void check(const std::string& name, const std::string& message, const std::string& variant) {
  const std::string expected =
      read_file(std::filesystem::path(ENDHOST_IMAP_MESSAGES_DIR) / (name + ".expected"));
  ASSERT_FALSE(expected.empty()) << name;
  const ParsedMessage m(message);
  std::istringstream lines(expected);
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string key = line.substr(0, tab);
    const std::string want = unescape(line.substr(tab + 1));
    SCOPED_TRACE(name + " (" + variant + ") " + key);
    ++checked;
    if (key == "BODY" || key == "BODYSTRUCTURE" || key == "ENVELOPE") {
      std::string got;
      if (key == "ENVELOPE") {
        append_envelope(got, make_envelope(m));
      } else {
        append_body_structure(got, m, key == "BODY" ? BodyForm::Body : BodyForm::BodyStructure);
      }
      const auto want_value = parse_value(want);
      const auto got_value = parse_value(got);
      ASSERT_TRUE(want_value) << want;
      ASSERT_TRUE(got_value) << "not one IMAP value: " << got;
      EXPECT_EQ(show(*got_value), show(*want_value));
      continue;
    }
    const auto [section, partial] = parse_key(key);
    const SectionBytes got = fetch_section(m, section, partial);
    EXPECT_EQ(std::string(got.bytes()), want);
  }
  EXPECT_GT(checked, 20);
}

TEST_P(Fixture, MatchesDovecotWithCrlfLines) {
  const std::string lf = read_file(std::filesystem::path(ENDHOST_IMAP_MESSAGES_DIR) / (GetParam() + ".eml"));
  check(GetParam(), crlf(lf), "CRLF");
}

TEST_P(Fixture, MatchesDovecotWithLfLines) {
  const std::string lf = read_file(std::filesystem::path(ENDHOST_IMAP_MESSAGES_DIR) / (GetParam() + ".eml"));
  check(GetParam(), lf, "LF");
}

INSTANTIATE_TEST_SUITE_P(ImapMessage, Fixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace endhost::imap::message
