#include "lab/site_files.hpp"
#include "core/durable_file.hpp"

#include <fmt/format.h>

#include "lab/gif_image.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

namespace {

// FNV-1a: a stable seed per path, so each image looks different and the same on every run.
std::uint32_t path_seed(std::string_view path) {
  std::uint32_t h = 2166136261u;
  for (char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string page_html(std::string_view title, std::uint32_t count) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html><head><title>{0}</title></head>\n<body><h1>{0}</h1>\n"
      "<p>A base HTML file and {1} referenced objects (Kurose &amp; Ross, section 2.2.1).</p>\n<p>\n",
      title, count);
  for (std::uint32_t i = 1; i <= count; ++i) {
    html += fmt::format("<img src=\"{}\" alt=\"object {}\">\n", page_object_name(i), i);
  }
  html += "</p>\n</body></html>\n";
  return html;
}

Expected<std::vector<WrittenFile>, std::string> write_site(const SiteConfig& site, const std::string& dir) {
  std::vector<WrittenFile> written;
  auto put = [&](const std::string& url_path, std::string_view content,
                 std::optional<std::int64_t> mtime) -> Expected<void, std::string> {
    std::string file = dir + url_path;
    if (auto ok = make_directories(file.substr(0, file.rfind('/'))); !ok) return ok;
    if (auto ok = core::write_file_durably(file, content, mtime); !ok) {
      return Unexpected(fmt::format("site {}: {}", site.name, ok.error()));
    }
    return {};
  };
  if (auto ok = make_directories(dir); !ok) return Unexpected(ok.error());
  for (const SiteFile& f : site.files) {
    const std::optional<std::int64_t> mtime = f.last_modified ? f.last_modified : site.last_modified;
    WrittenFile w;
    w.path = f.path;
    std::string content;
    if (f.text) {
      content = *f.text;
    } else if (f.gif) {
      content = make_gif(f.gif->first, f.gif->second, path_seed(f.path));
    } else if (f.objects) {
      std::string base = f.path.substr(0, f.path.rfind('/') + 1);
      auto [w_px, h_px] = gif_size_for_bytes(f.object_bytes);
      for (std::uint32_t i = 1; i <= *f.objects; ++i) {
        std::string obj = base + page_object_name(i);
        if (auto ok = put(obj, make_gif(w_px, h_px, path_seed(obj)), mtime); !ok)
          return Unexpected(ok.error());
        w.objects.push_back(obj);
      }
      std::string title = f.path.substr(base.size());
      content = page_html(title, *f.objects);
    }
    if (auto ok = put(f.path, content, mtime); !ok) return Unexpected(ok.error());
    w.bytes = content.size();
    written.push_back(std::move(w));
  }
  return written;
}

}  // namespace endhost::lab
