#pragma once

#include <Poco/Exception.h>

#include <string>

namespace sipbridge::core {

/// An error of a use case, in the use case's own terms: what went wrong (kind), a stable
/// machine-readable code, a message for the client and, where it applies, the offending
/// field. How a kind is answered (HTTP status, WebSocket reply) is the api module's business.
class DomainError : public Poco::Exception {
 public:
  enum class Kind {
    InvalidField,    ///< a field is missing, of the wrong type or holds a forbidden value
    Unauthorized,    ///< missing, bad or expired credentials
    Forbidden,       ///< the caller is known but may not do this
    NotFound,        ///< the named thing does not exist (never used when the store is down)
    Conflict,        ///< the request conflicts with the current state
    NotImplemented,  ///< a known method that this node cannot run
    Unavailable,     ///< the store or a queue cannot take more work now; retry later
  };

  DomainError(Kind kind, std::string code, const std::string& message, std::string field = {})
      : Poco::Exception(message), kind_(kind), code_(std::move(code)), field_(std::move(field)) {}
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }
  const char* name() const noexcept override { return "DomainError"; }

 private:
  Kind kind_;
  std::string code_;
  std::string field_;
};

/// A field is missing, of the wrong type or holds a forbidden value.
inline DomainError invalidField(const std::string& field, const std::string& message) {
  return DomainError(DomainError::Kind::InvalidField, "invalid_field", message, field);
}
/// Missing, bad or expired token.
inline DomainError unauthorized(const std::string& message) {
  return DomainError(DomainError::Kind::Unauthorized, "unauthorized", message);
}
/// The named thing does not exist (never used when the store is down).
inline DomainError notFound(const std::string& what, const std::string& field = {}) {
  return DomainError(DomainError::Kind::NotFound, "not_found", what + " not found", field);
}
/// The request conflicts with the current state.
inline DomainError conflict(const std::string& message, const std::string& field = {}) {
  return DomainError(DomainError::Kind::Conflict, "conflict", message, field);
}

/// The store or a queue cannot take more work now; the client retries after the given time.
class Unavailable : public DomainError {
 public:
  explicit Unavailable(const std::string& message, int retryAfterSeconds = 2)
      : DomainError(Kind::Unavailable, "unavailable", message), retryAfter_(retryAfterSeconds) {}
  int retryAfterSeconds() const { return retryAfter_; }
  const char* name() const noexcept override { return "Unavailable"; }

 private:
  int retryAfter_;
};

}  // namespace sipbridge::core
