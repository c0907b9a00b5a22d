// SPDX-License-Identifier: Apache-2.0
#pragma once
// The embedded panel: a table generated at build time from web/ (see cmake/embed_assets.cmake).

#include <cstddef>
#include <string_view>

namespace cunxin::http {

/// One gzip-compressed file of web/.
struct Asset {
    const char* path;          ///< relative to web/, e.g. "js/api.js"
    const char* content_type;  ///< MIME type with charset
    const char* etag;          ///< quoted strong ETag (hash of the gzip bytes)
    const unsigned char* gz;   ///< gzip -9n bytes
    std::size_t size;          ///< number of gzip bytes
};

extern const Asset kAssets[];
extern const std::size_t kAssetCount;

/// The asset at `path` (sorted table, binary search), or nullptr.
const Asset* find_asset(std::string_view path);

}  // namespace cunxin::http
