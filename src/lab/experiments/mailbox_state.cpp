#include "lab/experiments/mailbox_state.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "mail/store/file_name.hpp"

namespace endhost::lab {

namespace fs = std::filesystem;

namespace {

// new/ and cur/ of one Maildir: mail in new/ has no info part yet, so no flags (maildir(5)).
FolderState read_folder(const fs::path& dir, std::string name) {
  FolderState f;
  f.name = std::move(name);
  std::vector<std::string> files;
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / sub, ec)) {
      const std::string n = e.path().filename().string();
      if (!n.empty() && n[0] != '.') files.push_back(n);
    }
  }
  std::sort(files.begin(), files.end(),
            [](const std::string& a, const std::string& b) { return mail::store::delivered_before(a, b); });
  for (const auto& n : files) f.flags.push_back(maildir_flags(n));
  return f;
}

}  // namespace

std::string maildir_flags(const std::string& file_name) {
  const auto parts = mail::store::split_file_name(file_name);
  if (!parts.has_info) return {};
  const mail::store::Flags flags = parts.info.empty()
                                       ? mail::store::Flags{}
                                       : mail::store::parse_info(parts.info, mail::store::kMaxKeywords);
  static constexpr std::pair<std::uint8_t, const char*> kNames[] = {{mail::store::kSeen, "\\Seen"},
                                                                    {mail::store::kAnswered, "\\Answered"},
                                                                    {mail::store::kFlagged, "\\Flagged"},
                                                                    {mail::store::kDeleted, "\\Deleted"},
                                                                    {mail::store::kDraft, "\\Draft"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (flags.system & bit) out += (out.empty() ? "" : " ") + std::string(name);
  }
  return out;
}

std::vector<FolderState> read_mailbox_state(const std::string& user_dir) {
  std::vector<FolderState> out;
  std::error_code ec;
  if (!fs::is_directory(user_dir, ec)) return out;
  out.push_back(read_folder(user_dir, "INBOX"));
  std::vector<FolderState> others;
  for (const auto& e : fs::directory_iterator(user_dir, ec)) {
    const std::string n = e.path().filename().string();
    // Maildir++: ".Name" is folder Name; "..endhost-deleted.*" is one on its way out.
    if (n.size() < 2 || n[0] != '.' || n[1] == '.' || !fs::is_directory(e.path() / "cur", ec)) continue;
    others.push_back(read_folder(e.path(), n.substr(1)));
  }
  std::sort(others.begin(), others.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& f : others) out.push_back(std::move(f));
  return out;
}

std::string describe_state(const std::vector<FolderState>& folders, const std::vector<std::string>& always) {
  std::string out;
  for (const auto& f : folders) {
    const bool listed = std::find(always.begin(), always.end(), f.name) != always.end();
    if (f.messages() == 0 && !listed) continue;
    std::string flags;
    for (const auto& m : f.flags) flags += (flags.empty() ? "" : ", ") + (m.empty() ? std::string("-") : m);
    out += (out.empty() ? "" : "; ") + f.name + " " + std::to_string(f.messages());
    if (!flags.empty()) out += " (" + flags + ")";
  }
  return out.empty() ? "nothing" : out;
}

}  // namespace endhost::lab
