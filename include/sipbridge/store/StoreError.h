#pragma once

#include <Poco/Exception.h>

#include <string>

namespace sipbridge::store {

/// A statement failed for a reason other than connectivity (constraint, bad data, bug).
/// Carries the SQLSTATE when the server sent one.
class StoreError : public Poco::Exception {
 public:
  explicit StoreError(const std::string& message, std::string sqlState = {})
      : Poco::Exception(message), sqlState_(std::move(sqlState)) {}
  const char* name() const noexcept override { return "StoreError"; }
  const char* className() const noexcept override { return "StoreError"; }
  Poco::Exception* clone() const override { return new StoreError(*this); }
  void rethrow() const override { throw *this; }
  const std::string& sqlState() const { return sqlState_; }

 private:
  std::string sqlState_;
};

/// The database cannot be reached (refused, timed out, connection lost, shutting down).
/// Translated to core::Unavailable by the classes implementing core interfaces.
class StoreUnavailable : public StoreError {
 public:
  explicit StoreUnavailable(const std::string& message, std::string sqlState = {})
      : StoreError(message, std::move(sqlState)) {}
  const char* name() const noexcept override { return "StoreUnavailable"; }
  const char* className() const noexcept override { return "StoreUnavailable"; }
  Poco::Exception* clone() const override { return new StoreUnavailable(*this); }
  void rethrow() const override { throw *this; }
};

}  // namespace sipbridge::store
