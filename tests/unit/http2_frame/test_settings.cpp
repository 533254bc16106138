// SETTINGS values (RFC 9113 §6.5.2): defaults, validation of received values, applying, and what to send.
#include <gtest/gtest.h>

#include "http2/frame/settings.hpp"

namespace endhost::http2 {
namespace {

TEST(Settings, DefaultsAreThoseOfTheRfc) {
  const Settings s;
  EXPECT_EQ(s.header_table_size, 4096u);
  EXPECT_TRUE(s.enable_push);
  EXPECT_FALSE(s.max_concurrent_streams);
  EXPECT_EQ(s.initial_window_size, 65535u);
  EXPECT_EQ(s.max_frame_size, 16384u);
  EXPECT_FALSE(s.max_header_list_size);
  EXPECT_FALSE(s.enable_connect_protocol);
  EXPECT_FALSE(s.no_rfc7540_priorities);
}

TEST(Settings, ValidatesReceivedValues) {
  const auto err = [](SettingId id, std::uint32_t v) {
    auto r = validate({id, v});
    return r ? std::optional<ErrorCode>() : std::optional<ErrorCode>(r.error().code);
  };
  EXPECT_EQ(err(SettingId::enable_push, 0), std::nullopt);
  EXPECT_EQ(err(SettingId::enable_push, 1), std::nullopt);
  EXPECT_EQ(err(SettingId::enable_push, 2), ErrorCode::protocol_error);
  EXPECT_EQ(err(SettingId::initial_window_size, 0x7fffffff), std::nullopt);
  EXPECT_EQ(err(SettingId::initial_window_size, 0x80000000), ErrorCode::flow_control_error);
  EXPECT_EQ(err(SettingId::max_frame_size, 16383), ErrorCode::protocol_error);
  EXPECT_EQ(err(SettingId::max_frame_size, 16384), std::nullopt);
  EXPECT_EQ(err(SettingId::max_frame_size, 16777215), std::nullopt);
  EXPECT_EQ(err(SettingId::max_frame_size, 16777216), ErrorCode::protocol_error);
  EXPECT_EQ(err(SettingId::enable_connect_protocol, 2), ErrorCode::protocol_error);
  EXPECT_EQ(err(SettingId::no_rfc7540_priorities, 5), ErrorCode::protocol_error);
  EXPECT_EQ(err(SettingId::header_table_size, 0xffffffff), std::nullopt);
  EXPECT_EQ(err(static_cast<SettingId>(0x7), 0xffffffff), std::nullopt);  // unknown: ignored
  EXPECT_TRUE(validate({SettingId::enable_push, 2}).error().connection);
}

TEST(Settings, ApplyStoresValidValuesAndIgnoresUnknownOnes) {
  Settings s;
  ASSERT_TRUE(s.apply(std::vector<Setting>{{SettingId::max_concurrent_streams, 100},
                                           {SettingId::initial_window_size, 1 << 20},
                                           {static_cast<SettingId>(0xabcd), 1},
                                           {SettingId::enable_push, 0},
                                           {SettingId::max_frame_size, 1 << 20},
                                           {SettingId::max_header_list_size, 8192},
                                           {SettingId::header_table_size, 0},
                                           {SettingId::enable_connect_protocol, 1},
                                           {SettingId::no_rfc7540_priorities, 1}}));
  EXPECT_EQ(s.max_concurrent_streams, 100u);
  EXPECT_EQ(s.initial_window_size, 1u << 20);
  EXPECT_FALSE(s.enable_push);
  EXPECT_EQ(s.max_frame_size, 1u << 20);
  EXPECT_EQ(s.max_header_list_size, 8192u);
  EXPECT_EQ(s.header_table_size, 0u);
  EXPECT_TRUE(s.enable_connect_protocol);
  EXPECT_TRUE(s.no_rfc7540_priorities);

  const Settings before = s;
  auto bad = s.apply({SettingId::max_frame_size, 10});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::protocol_error);
  EXPECT_EQ(s, before);
}

TEST(Settings, ChangesFromListsWhatToSend) {
  Settings ours;
  EXPECT_TRUE(ours.changes_from().empty());
  ours.max_concurrent_streams = 100;
  ours.enable_push = false;
  ours.initial_window_size = 1 << 20;
  const std::vector<Setting> expected{{SettingId::enable_push, 0},
                                      {SettingId::max_concurrent_streams, 100},
                                      {SettingId::initial_window_size, 1 << 20}};
  EXPECT_EQ(ours.changes_from(), expected);
  Settings peer_view;
  ASSERT_TRUE(peer_view.apply(ours.changes_from()));
  EXPECT_EQ(peer_view, ours);
}

TEST(Settings, Names) {
  EXPECT_EQ(name(SettingId::max_concurrent_streams), "MAX_CONCURRENT_STREAMS");
  EXPECT_EQ(name(SettingId::no_rfc7540_priorities), "NO_RFC7540_PRIORITIES");
  EXPECT_EQ(name(static_cast<SettingId>(0x7)), "");
}

}  // namespace
}  // namespace endhost::http2
