#include "sipbridge/api/HttpErrors.h"

#include "ApiIo.h"

namespace sipbridge::api {
namespace {

core::DomainError::Kind kindOf(int status) {
  using Kind = core::DomainError::Kind;
  switch (status) {
    case 401:
      return Kind::Unauthorized;
    case 403:
      return Kind::Forbidden;
    case 404:
      return Kind::NotFound;
    case 409:
      return Kind::Conflict;
    case 501:
      return Kind::NotImplemented;
    case 503:
      return Kind::Unavailable;
    default:
      return Kind::InvalidField;
  }
}

}  // namespace

HttpError::HttpError(int status, std::string code, const std::string& message, std::string field)
    : core::DomainError(kindOf(status), std::move(code), message, std::move(field)),
      status_(status) {}

int httpStatusOf(const core::DomainError& error) {
  if (const auto* http = dynamic_cast<const HttpError*>(&error)) return http->status();
  using Kind = core::DomainError::Kind;
  switch (error.kind()) {
    case Kind::InvalidField:
      return 400;
    case Kind::Unauthorized:
      return 401;
    case Kind::Forbidden:
      return 403;
    case Kind::NotFound:
      return 404;
    case Kind::Conflict:
      return 409;
    case Kind::NotImplemented:
      return 501;
    case Kind::Unavailable:
      return 503;
  }
  return 500;
}

int retryAfterOf(const core::DomainError& error) {
  const auto* unavailable = dynamic_cast<const core::Unavailable*>(&error);
  return unavailable ? unavailable->retryAfterSeconds() : 0;
}

Poco::JSON::Object::Ptr errorBodyOf(const core::DomainError& error) {
  return errorObject(error.code(), error.message(), error.field());
}

Reply errorReplyOf(const core::DomainError& error) {
  Reply reply = jsonReply(httpStatusOf(error), errorBodyOf(error));
  if (const int seconds = retryAfterOf(error); seconds > 0)
    reply.headers.emplace_back("Retry-After", std::to_string(seconds));
  return reply;
}

}  // namespace sipbridge::api
