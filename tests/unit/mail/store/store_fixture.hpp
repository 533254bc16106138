// A Store over a fresh temporary mail directory for each test, with helpers to look at the files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mail/store/store.hpp"

namespace endhost::mail::store::testing_support {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kMaxMessage = 1 << 20;

  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("mail-store-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(base_ / "users");
    restart();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(base_);
  }
  // A new Store over the same directory: what a process restart sees.
  void restart() { store_ = std::make_unique<Store>(base_ / "users", kMaxMessage, "test.host"); }

  std::shared_ptr<UserStore> user(const std::string& name = "bob") {
    auto u = store_->user(name);
    EXPECT_TRUE(u) << (u ? "" : u.error().message);
    return u ? *u : nullptr;
  }
  std::shared_ptr<Mailbox> box(const std::string& name = "INBOX", Mailbox::OpenReport* report = nullptr) {
    auto u = user();
    if (!u) return nullptr;
    auto mb = u->open(name, report);
    EXPECT_TRUE(mb) << (mb ? "" : mb.error().message);
    return mb ? *mb : nullptr;
  }
  fs::path root(const std::string& name = "bob") const { return base_ / "users" / name; }

  static std::vector<std::string> names(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
  }

  fs::path base_;
  std::unique_ptr<Store> store_;
};

}  // namespace endhost::mail::store::testing_support
