// The bytes of FTP transfers over a real loopback connection: sendfile (TYPE I) and the converting path
// (TYPE A) for downloads, REST offsets, uploads into a durable file with TYPE A conversion and the size
// limit, and ABOR.
#include "ftp/server/transfer_io.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace endhost::ftp::server {
namespace {

namespace fs = std::filesystem;
namespace ip = asio::ip;

class FtpServerTransferIo : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("ftp-io-test-" + std::to_string(rd()));
    fs::create_directories(dir_);
    ip::tcp::acceptor acceptor(io_, {ip::make_address("127.0.0.1"), 0});
    client_.connect(acceptor.local_endpoint());
    ip::tcp::socket accepted(io_);
    acceptor.accept(accepted);
    server_ = std::make_unique<core::Stream>(std::move(accepted));
    deadline_ = std::make_unique<core::Deadline>(io_.get_executor(), server_->lowest_layer());
  }
  void TearDown() override {
    deadline_.reset();
    server_.reset();
    fs::remove_all(dir_);
  }

  int open_file(const std::string& name, std::string_view content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return ::open((dir_ / name).c_str(), O_RDONLY | O_CLOEXEC);
  }
  // Runs the server side, then reads everything the client got until EOF.
  std::string download(int fd, std::uint64_t offset, std::uint64_t size, bool ascii, IoResult& r) {
    TransferControl control;
    auto run = [&]() -> awaitable<void> {
      r = co_await send_file(*server_, *deadline_, fd, offset, size, ascii, std::chrono::seconds(5), control);
      server_->shutdown();
    };
    asio::co_spawn(io_, run(), asio::detached);
    std::string got;
    std::array<char, 65536> buf;
    std::thread reader([&] {
      boost::system::error_code ec;
      for (;;) {
        const std::size_t n = client_.read_some(asio::buffer(buf), ec);
        if (ec) break;
        got.append(buf.data(), n);
      }
    });
    io_.run();
    reader.join();
    return got;
  }
  IoResult upload(core::DurableFileWriter& out, std::string_view bytes, bool ascii, UploadLimits limits) {
    TransferControl control;
    IoResult r;
    auto run = [&]() -> awaitable<void> {
      r = co_await receive_file(*server_, *deadline_, out, ascii, limits, std::chrono::seconds(5), control);
    };
    asio::co_spawn(io_, run(), asio::detached);
    std::thread writer([&] {
      boost::system::error_code ec;
      asio::write(client_, asio::buffer(bytes.data(), bytes.size()), ec);
      client_.shutdown(ip::tcp::socket::shutdown_send, ec);
    });
    io_.run();
    writer.join();
    return r;
  }

  fs::path dir_;
  asio::io_context io_;
  ip::tcp::socket client_{io_};
  std::unique_ptr<core::Stream> server_;
  std::unique_ptr<core::Deadline> deadline_;
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return s;
}

TEST_F(FtpServerTransferIo, SendfileSendsTheWholeFile) {
  const std::string content = pattern(5 << 20);
  const int fd = open_file("big", content);
  IoResult r;
  const std::string got = download(fd, 0, content.size(), false, r);
  ::close(fd);
  EXPECT_EQ(r.end, IoEnd::done);
  EXPECT_EQ(r.bytes, content.size());
  EXPECT_TRUE(got == content);
}

TEST_F(FtpServerTransferIo, RestOffsetSendsTheTail) {
  const std::string content = pattern(100'000);
  const int fd = open_file("f", content);
  IoResult r;
  const std::string got = download(fd, 99'000, content.size(), false, r);
  ::close(fd);
  EXPECT_EQ(got, content.substr(99'000));
}

TEST_F(FtpServerTransferIo, TypeAConvertsLineEndsOnTheWayOut) {
  const int fd = open_file("t", "one\ntwo\r\nthree\n");
  IoResult r;
  const std::string got = download(fd, 0, 15, true, r);
  ::close(fd);
  EXPECT_EQ(got, "one\r\ntwo\r\nthree\r\n");
  EXPECT_EQ(r.bytes, got.size());
}

TEST_F(FtpServerTransferIo, UploadIsInvisibleUntilCommitted) {
  const int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  core::DurableFileOptions options;
  options.unnamed_temp = true;
  auto w = core::DurableFileWriter::create_at(dir, "up.txt", options);
  ASSERT_TRUE(w);
  const IoResult r = upload(*w, "a\r\nb\r\nlone\rcr\r\n", true, {});
  EXPECT_EQ(r.end, IoEnd::done);
  EXPECT_FALSE(fs::exists(dir_ / "up.txt"));
  ASSERT_TRUE(w->commit());
  std::ifstream in(dir_ / "up.txt", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "a\nb\nlone\rcr\n");
  ::close(dir);
}

TEST_F(FtpServerTransferIo, UploadPastTheLimitStopsAndLeavesNothing) {
  const int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  core::DurableFileOptions options;
  options.unnamed_temp = true;
  auto w = core::DurableFileWriter::create_at(dir, "big.bin", options);
  ASSERT_TRUE(w);
  const IoResult r = upload(*w, pattern(300'000), false, {100'000, 0});
  EXPECT_EQ(r.end, IoEnd::too_large);
  w->abort();
  EXPECT_TRUE(fs::is_empty(dir_));
  ::close(dir);
}

}  // namespace
}  // namespace endhost::ftp::server
