#include "RawSip.h"

#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <array>

namespace sipbridge::test {

namespace {

/// The status of the first final answer in `data` (answers may arrive together over TCP).
int finalStatus(const std::string& data, std::string& response) {
  std::size_t at = 0;
  while ((at = data.find("SIP/2.0 ", at)) != std::string::npos) {
    const int status = std::atoi(data.c_str() + at + 8);
    if (status >= 200) {
      response = data.substr(at);
      return status;
    }
    at += 8;
  }
  return 0;
}

void fillVia(std::string& request, const std::string& sentBy) {
  const std::string marker = "{via}";
  for (auto at = request.find(marker); at != std::string::npos; at = request.find(marker))
    request.replace(at, marker.size(), sentBy);
}

}  // namespace

RawSipAnswer sendRawSip(const std::string& transport, int port, std::string request,
                        std::chrono::milliseconds timeout) {
  RawSipAnswer answer;
  const Poco::Net::SocketAddress bridge("127.0.0.1", static_cast<Poco::UInt16>(port));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 70000> buffer{};
  std::string received;
  if (transport == "udp") {
    Poco::Net::DatagramSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    fillVia(request, "127.0.0.1:" + std::to_string(socket.address().port()));
    socket.sendTo(request.data(), static_cast<int>(request.size()), bridge);
    while (answer.status == 0 && std::chrono::steady_clock::now() < deadline) {
      socket.setReceiveTimeout(Poco::Timespan(0, 200000));
      try {
        Poco::Net::SocketAddress from;
        const int n = socket.receiveFrom(buffer.data(), static_cast<int>(buffer.size()), from);
        if (n > 0) answer.status = finalStatus(std::string(buffer.data(), n), answer.response);
      } catch (const Poco::TimeoutException&) {
      }
    }
    return answer;
  }
  Poco::Net::StreamSocket socket(bridge);
  fillVia(request, "127.0.0.1:" + std::to_string(socket.address().port()));
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  while (answer.status == 0 && std::chrono::steady_clock::now() < deadline) {
    socket.setReceiveTimeout(Poco::Timespan(0, 200000));
    try {
      const int n = socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) break;  // closed without a (final) answer
      received.append(buffer.data(), n);
      answer.status = finalStatus(received, answer.response);
    } catch (const Poco::TimeoutException&) {
    }
  }
  return answer;
}

}  // namespace sipbridge::test
