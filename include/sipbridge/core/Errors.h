#pragma once

#include <Poco/Exception.h>

#include <string>

namespace sipbridge::core {

/// Errors raised by use cases and translated by the api module into HTTP answers.
/// Each carries the HTTP status it maps to and, where it applies, the offending field.
class ApiError : public Poco::Exception {
 public:
  ApiError(int httpStatus, std::string code, const std::string& message, std::string field = {})
      : Poco::Exception(message),
        status_(httpStatus),
        code_(std::move(code)),
        field_(std::move(field)) {}
  int httpStatus() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }
  const char* name() const noexcept override { return "ApiError"; }

 private:
  int status_;
  std::string code_;
  std::string field_;
};

/// 400: a field is missing, of the wrong type or holds a forbidden value.
inline ApiError invalidField(const std::string& field, const std::string& message) {
  return ApiError(400, "invalid_field", message, field);
}
/// 401: missing, bad or expired token.
inline ApiError unauthorized(const std::string& message) {
  return ApiError(401, "unauthorized", message);
}
/// 404: the named thing does not exist (never used when the store is down).
inline ApiError notFound(const std::string& what, const std::string& field = {}) {
  return ApiError(404, "not_found", what + " not found", field);
}
/// 409: the request conflicts with the current state.
inline ApiError conflict(const std::string& message, const std::string& field = {}) {
  return ApiError(409, "conflict", message, field);
}

/// 503: the store or a queue cannot take more work now; the client retries later.
class Unavailable : public ApiError {
 public:
  explicit Unavailable(const std::string& message, int retryAfterSeconds = 2)
      : ApiError(503, "unavailable", message), retryAfter_(retryAfterSeconds) {}
  int retryAfterSeconds() const { return retryAfter_; }
  const char* name() const noexcept override { return "Unavailable"; }

 private:
  int retryAfter_;
};

}  // namespace sipbridge::core
