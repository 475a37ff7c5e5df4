#pragma once

#include <Poco/Exception.h>

#include <string>

namespace sipbridge::content {

/// A message body could not be parsed or built: malformed input, a limit exceeded, or a
/// value that would inject structure (CR, LF, NUL). The message is a short reason meant for
/// logs and event `info`; it never echoes the offending input.
class ContentError : public Poco::Exception {
 public:
  explicit ContentError(const std::string& reason) : Poco::Exception(reason) {}
  const char* name() const noexcept override { return "ContentError"; }
  const char* className() const noexcept override { return "ContentError"; }
  Poco::Exception* clone() const override { return new ContentError(*this); }
  void rethrow() const override { throw *this; }
};

}  // namespace sipbridge::content
