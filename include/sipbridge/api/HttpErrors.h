#pragma once

#include "sipbridge/core/Errors.h"

#include <Poco/JSON/Object.h>

#include <string>

namespace sipbridge::api {

/// An error the api module raises about the HTTP exchange itself (framing, media type, body
/// size, origin, handshake, routing), with the status it is answered with. It is a
/// core::DomainError, so every catch of client errors in api takes both kinds alike.
class HttpError : public core::DomainError {
 public:
  HttpError(int status, std::string code, const std::string& message, std::string field = {});
  int status() const { return status_; }
  const char* name() const noexcept override { return "HttpError"; }

 private:
  int status_;
};

/// The one mapping of errors to HTTP: an HttpError keeps its status; a domain error is
/// answered by its kind (invalid field 400, unauthorized 401, forbidden 403, not found 404,
/// conflict 409, not implemented 501, unavailable 503).
int httpStatusOf(const core::DomainError& error);
/// Seconds a client waits before retrying, for an Unavailable; 0 for every other error.
int retryAfterOf(const core::DomainError& error);
/// `{"error":{"code","message","field"?}}` of the error.
Poco::JSON::Object::Ptr errorBodyOf(const core::DomainError& error);

}  // namespace sipbridge::api
