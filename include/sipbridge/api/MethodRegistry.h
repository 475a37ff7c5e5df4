#pragma once

#include "sipbridge/core/BridgeService.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sipbridge::api {

/// What a client method answers: HTTP status and JSON object body.
struct MethodReply {
  int status = 202;
  Poco::JSON::Object::Ptr body;
};

/// One operation of the OpenAPI document that the server serves.
struct ServedOperation {
  std::string path;         ///< "/api/v1/sendMessage"
  std::string httpMethod;   ///< "POST"
  std::string operationId;  ///< as in the OpenAPI document
};

/// The client methods by name: `POST /api/v1/{name}` and WebSocket method frames both run
/// them from here, and nowhere else. Each method is added once with its parser (JSON object
/// to a typed request, throwing an invalid-field core::DomainError naming the member), its
/// handler (typed request to a core call to the JSON reply) and its OpenAPI operation.
/// Filled before HttpApi::start(), read-only afterwards (then safe from any thread).
class MethodRegistry {
 public:
  /// What the registry knows of a method besides its code.
  struct Spec {
    std::string name;         ///< the {method} of POST /api/v1/{method}
    std::string operationId;  ///< its operationId in the OpenAPI document
    bool extension = false;   ///< not in the reference method list
  };
  /// Runs one method on the request's JSON object (for WebSocket frames: the frame without
  /// `id` and `method`). Called on HTTP threads; may block.
  using Runner =
      std::function<MethodReply(const core::SessionPtr& session, const Poco::JSON::Object& body)>;
  struct Entry {
    Spec spec;
    Runner run;
  };

  /// Adds a method: `parse` turns the body into a Request, `handle` runs it and builds the
  /// 202 reply's body. Throws std::logic_error when a method of that name exists already.
  template <class Request>
  void add(Spec spec, std::function<Request(const Poco::JSON::Object&)> parse,
           std::function<Poco::JSON::Object::Ptr(const core::SessionPtr&, const Request&)> handle) {
    addEntry(std::move(spec), [parse = std::move(parse), handle = std::move(handle)](
                                  const core::SessionPtr& session, const Poco::JSON::Object& body) {
      const Request request = parse(body);
      return MethodReply{202, handle(session, request)};
    });
  }
  /// The entry of `name`, or nullptr when no such method exists.
  const Entry* find(const std::string& name) const;
  /// Runs the method `name`; throws a 404 unknown_method error (field `field`, empty for none)
  /// when there is no such method.
  MethodReply run(const std::string& name, const core::SessionPtr& session,
                  const Poco::JSON::Object& body, const std::string& field = "method") const;
  /// Every method name, sorted.
  std::vector<std::string> names() const;
  /// The OpenAPI operation of every method (path "/api/v1/<name>", POST), sorted by name.
  std::vector<ServedOperation> operations() const;

 private:
  void addEntry(Spec spec, Runner run);

  std::map<std::string, Entry> entries_;
};

/// Registers every client method (src/api/ClientMethods.cpp): its parser, its handler on
/// `service` and its OpenAPI operation. The one place a client method is added.
void registerClientMethods(MethodRegistry& methods, core::BridgeService& service);

}  // namespace sipbridge::api
