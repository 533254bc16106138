// Writes the GIF images of the lab's sites (campus.gif, kiwi.gif, a page's objects): real GIF89a files that a
// browser shows, generated rather than stored so the repository holds no binaries. The size is predictable
// (about one byte per pixel) because the LZW stream restarts with a clear code every few pixels instead of
// compressing, which is what the page-load and cache experiments want: objects of a known size.
#pragma once

#include <cstdint>
#include <string>

namespace endhost::lab {

// A width x height image; `seed` varies the picture (pass a hash of the file's path).
std::string make_gif(std::uint32_t width, std::uint32_t height, std::uint32_t seed);

// Width and height of an image of about `bytes` bytes, 100 pixels wide.
std::pair<std::uint32_t, std::uint32_t> gif_size_for_bytes(std::uint32_t bytes);

}  // namespace endhost::lab
