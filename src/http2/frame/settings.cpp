#include "http2/frame/settings.hpp"

#include "http2/frame/frame_header.hpp"

namespace endhost::http2 {

std::string_view name(SettingId id) noexcept {
  switch (id) {
    case SettingId::header_table_size:
      return "HEADER_TABLE_SIZE";
    case SettingId::enable_push:
      return "ENABLE_PUSH";
    case SettingId::max_concurrent_streams:
      return "MAX_CONCURRENT_STREAMS";
    case SettingId::initial_window_size:
      return "INITIAL_WINDOW_SIZE";
    case SettingId::max_frame_size:
      return "MAX_FRAME_SIZE";
    case SettingId::max_header_list_size:
      return "MAX_HEADER_LIST_SIZE";
    case SettingId::enable_connect_protocol:
      return "ENABLE_CONNECT_PROTOCOL";
    case SettingId::no_rfc7540_priorities:
      return "NO_RFC7540_PRIORITIES";
  }
  return {};
}

Expected<void, FrameError> validate(const Setting& s) noexcept {
  switch (s.id) {
    case SettingId::enable_push:  // §6.5.2
      if (s.value > 1)
        return Unexpected(connection_error(ErrorCode::protocol_error, "ENABLE_PUSH not 0 or 1"));
      break;
    case SettingId::initial_window_size:  // §6.5.2
      if (s.value > kMaxWindowSize)
        return Unexpected(
            connection_error(ErrorCode::flow_control_error, "INITIAL_WINDOW_SIZE above 2^31-1"));
      break;
    case SettingId::max_frame_size:  // §6.5.2
      if (s.value < kDefaultMaxFrameSize || s.value > kMaxAllowedFrameSize)
        return Unexpected(
            connection_error(ErrorCode::protocol_error, "MAX_FRAME_SIZE outside [2^14, 2^24-1]"));
      break;
    case SettingId::enable_connect_protocol:  // RFC 8441 §3
      if (s.value > 1)
        return Unexpected(connection_error(ErrorCode::protocol_error, "ENABLE_CONNECT_PROTOCOL not 0 or 1"));
      break;
    case SettingId::no_rfc7540_priorities:  // RFC 9218 §2.1
      if (s.value > 1)
        return Unexpected(connection_error(ErrorCode::protocol_error, "NO_RFC7540_PRIORITIES not 0 or 1"));
      break;
    default:
      break;
  }
  return {};
}

Expected<void, FrameError> Settings::apply(const Setting& s) noexcept {
  if (auto ok = validate(s); !ok) return ok;
  switch (s.id) {
    case SettingId::header_table_size:
      header_table_size = s.value;
      break;
    case SettingId::enable_push:
      enable_push = s.value == 1;
      break;
    case SettingId::max_concurrent_streams:
      max_concurrent_streams = s.value;
      break;
    case SettingId::initial_window_size:
      initial_window_size = s.value;
      break;
    case SettingId::max_frame_size:
      max_frame_size = s.value;
      break;
    case SettingId::max_header_list_size:
      max_header_list_size = s.value;
      break;
    case SettingId::enable_connect_protocol:
      enable_connect_protocol = s.value == 1;
      break;
    case SettingId::no_rfc7540_priorities:
      no_rfc7540_priorities = s.value == 1;
      break;
  }
  return {};
}

Expected<void, FrameError> Settings::apply(const std::vector<Setting>& settings) noexcept {
  for (const Setting& s : settings)
    if (auto ok = apply(s); !ok) return ok;
  return {};
}

std::vector<Setting> Settings::changes_from(const Settings& base) const {
  std::vector<Setting> out;
  const auto add = [&](SettingId id, std::uint32_t value, std::uint32_t old) {
    if (value != old) out.push_back({id, value});
  };
  const auto add_limit = [&](SettingId id, const std::optional<std::uint32_t>& value,
                             const std::optional<std::uint32_t>& old) {
    if (value && value != old) out.push_back({id, *value});
  };
  add(SettingId::header_table_size, header_table_size, base.header_table_size);
  add(SettingId::enable_push, enable_push, base.enable_push);
  add_limit(SettingId::max_concurrent_streams, max_concurrent_streams, base.max_concurrent_streams);
  add(SettingId::initial_window_size, initial_window_size, base.initial_window_size);
  add(SettingId::max_frame_size, max_frame_size, base.max_frame_size);
  add_limit(SettingId::max_header_list_size, max_header_list_size, base.max_header_list_size);
  add(SettingId::enable_connect_protocol, enable_connect_protocol, base.enable_connect_protocol);
  add(SettingId::no_rfc7540_priorities, no_rfc7540_priorities, base.no_rfc7540_priorities);
  return out;
}

std::vector<Setting> Settings::changes_from() const {
  return changes_from(Settings{});
}

}  // namespace endhost::http2
