#pragma once

#include "sipbridge/content/Headers.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sipbridge::content {

/// One body part of a multipart entity (RFC 2046 §5.1): its MIME headers and its content,
/// byte for byte (the CRLF before the next delimiter belongs to the delimiter). When the
/// part is itself multipart/*, parseMultipart also fills `parts` with its parsed children;
/// `body` still holds the raw nested entity. buildMultipart uses headers and body only.
struct MimePart {
  Headers headers;
  std::string body;
  std::vector<MimePart> parts;
};

/// Bounds for parseMultipart; every one is checked before the work it bounds is done.
struct MultipartLimits {
  std::size_t maxSize = 256 * 1024;  ///< whole body, octets
  std::size_t maxParts = 16;         ///< body parts in all, nested ones included
  std::size_t maxDepth = 3;          ///< nesting levels, the outer entity being level 1
  std::size_t maxHeaders = 32;       ///< per part
  std::size_t maxLineLength = 998;   ///< per header line
  bool allowBareLf = false;          ///< accept LF alone as a line break (RFC: CRLF only)
};

/// The boundary parameter of a multipart/* Content-Type value, unquoted and checked
/// (1..70 bcharsnospace/space characters, not ending in a space). Throws ContentError when
/// the type is not multipart or the parameter is missing or invalid.
std::string boundaryFromContentType(std::string_view contentType);

/// Throws ContentError unless `boundary` is a valid RFC 2046 boundary.
void checkBoundary(std::string_view boundary);

/// Splits `body` into its parts. Preamble and epilogue are ignored. Errors (ContentError):
/// invalid boundary, boundary longer than the body, no delimiter, no part, missing close
/// delimiter, malformed part headers, more than maxParts parts, nesting deeper than maxDepth.
std::vector<MimePart> parseMultipart(std::string_view body, std::string_view boundary,
                                     const MultipartLimits& limits = {});

/// A built multipart entity: the body and the Content-Type value to send it with.
struct MultipartBody {
  std::string boundary;
  std::string contentType;  ///< `multipart/mixed;boundary="..."`
  std::string body;
};

/// Serialises `parts` (at least one) as multipart/mixed with CRLF line breaks and a random
/// boundary drawn from `random` that occurs in no part. Header names and values are
/// checked as for CPIM (no CR, LF, NUL). Throws ContentError.
MultipartBody buildMultipart(const std::vector<MimePart>& parts, std::mt19937_64& random);

/// As above, seeding a generator from std::random_device for this call.
MultipartBody buildMultipart(const std::vector<MimePart>& parts);

}  // namespace sipbridge::content
