// Content_Codecs: ns per message and allocations per message for the content codecs (CPIM,
// multipart/mixed with 3 parts, IMDN), each next to baselines run in the same binary on the
// same bytes: libxml2's bare xmlReadMemory + xmlFreeDoc of the IMDN document, and a memchr
// scan of the input for line breaks. Allocations are counted through a replaced operator
// new and through xmlMemSetup for libxml2 (reported as allocs/msg and bytes/msg).
#include "sipbridge/content/Cpim.h"
#include "sipbridge/content/Imdn.h"
#include "sipbridge/content/Multipart.h"

#include "AllocationCounting.h"

#include <benchmark/benchmark.h>
#include <libxml/parser.h>

#include <cstring>

using namespace sipbridge::content;
using sipbridge::bench::AllocationScope;

namespace {

const std::string kCpim =
    "From: \"Alice\" <sip:alice@example.test>\r\n"
    "To: <sip:bob@example.test>\r\n"
    "DateTime: 2024-05-01T10:00:00.000Z\r\n"
    "NS: imdn <urn:ietf:params:imdn>\r\n"
    "imdn.Message-ID: 6f1c9a0e-4b2d-4c1e-9f57-2b8a6d3e1c44\r\n"
    "imdn.Disposition-Notification: positive-delivery, display\r\n"
    "\r\n"
    "Content-Type: text/plain;charset=UTF-8\r\n"
    "Content-Length: 25\r\n"
    "\r\n"
    "Hello, Bob, see you at 10";

const std::string kImdnXml = buildImdnDelivered("6f1c9a0e-4b2d-4c1e-9f57-2b8a6d3e1c44",
                                                "2024-05-01T10:00:00.000Z", "sip:bob@example.test");

std::vector<MimePart> threeParts() {
  std::vector<MimePart> parts(3);
  parts[0].headers = {{"Content-Type", "text/plain;charset=UTF-8"}};
  parts[0].body = "Hello, Bob, see you at 10";
  parts[1].headers = {{"Content-Type", "message/cpim"}};
  parts[1].body = kCpim;
  parts[2].headers = {{"Content-Type", "message/imdn+xml"},
                      {"Content-Disposition", "notification"}};
  parts[2].body = kImdnXml;
  return parts;
}

std::size_t countLines(const std::string& text) {
  std::size_t lines = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

void Content_Cpim_Parse(benchmark::State& state) {
  AllocationScope scope(state, "msg");
  for (auto _ : state) benchmark::DoNotOptimize(parseCpim(kCpim));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCpim.size()));
}

void Content_Cpim_Build(benchmark::State& state) {
  const CpimMessage message = parseCpim(kCpim);
  AllocationScope scope(state, "msg");
  for (auto _ : state) benchmark::DoNotOptimize(buildCpim(message));
}

void Content_Cpim_BaselineMemchr(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(countLines(kCpim));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCpim.size()));
}

void Content_Multipart_Parse(benchmark::State& state) {
  std::mt19937_64 random(1);
  const MultipartBody built = buildMultipart(threeParts(), random);
  AllocationScope scope(state, "msg");
  for (auto _ : state) benchmark::DoNotOptimize(parseMultipart(built.body, built.boundary));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * built.body.size()));
}

void Content_Multipart_Build(benchmark::State& state) {
  const auto parts = threeParts();
  std::mt19937_64 random(1);
  AllocationScope scope(state, "msg");
  for (auto _ : state) benchmark::DoNotOptimize(buildMultipart(parts, random));
}

void Content_Multipart_BaselineMemchr(benchmark::State& state) {
  std::mt19937_64 random(1);
  const MultipartBody built = buildMultipart(threeParts(), random);
  for (auto _ : state) benchmark::DoNotOptimize(countLines(built.body));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * built.body.size()));
}

void Content_Imdn_Parse(benchmark::State& state) {
  AllocationScope scope(state, "msg");
  for (auto _ : state) benchmark::DoNotOptimize(parseImdn(kImdnXml));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kImdnXml.size()));
}

void Content_Imdn_Build(benchmark::State& state) {
  AllocationScope scope(state, "msg");
  for (auto _ : state)
    benchmark::DoNotOptimize(buildImdnDelivered("6f1c9a0e-4b2d-4c1e-9f57-2b8a6d3e1c44",
                                                "2024-05-01T10:00:00.000Z",
                                                "sip:bob@example.test"));
}

void Content_Imdn_BaselineXmlReadMemory(benchmark::State& state) {
  AllocationScope scope(state, "msg");
  for (auto _ : state) {
    xmlDoc* doc = xmlReadMemory(kImdnXml.data(), static_cast<int>(kImdnXml.size()), nullptr,
                                "UTF-8", XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (doc == nullptr) state.SkipWithError("xmlReadMemory failed");
    benchmark::DoNotOptimize(doc);
    xmlFreeDoc(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kImdnXml.size()));
}

void Content_Imdn_BaselineMemchr(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(countLines(kImdnXml));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kImdnXml.size()));
}

void Content_ImdnMessage_Parse(benchmark::State& state) {
  const std::string message =
      buildCpim(makeImdnMessage({"Bob", "sip:bob@example.test"}, {"", "sip:alice@example.test"},
                                "new-id-1", "2024-05-01T10:00:01.000Z", parseImdn(kImdnXml)));
  AllocationScope scope(state, "msg");
  for (auto _ : state) {
    const CpimMessage cpim = parseCpim(message);
    if (!isImdn(cpim)) state.SkipWithError("not an IMDN");
    benchmark::DoNotOptimize(parseImdnMessage(cpim));
  }
}

}  // namespace

BENCHMARK(Content_Cpim_Parse);
BENCHMARK(Content_Cpim_Build);
BENCHMARK(Content_Cpim_BaselineMemchr);
BENCHMARK(Content_Multipart_Parse);
BENCHMARK(Content_Multipart_Build);
BENCHMARK(Content_Multipart_BaselineMemchr);
BENCHMARK(Content_Imdn_Parse);
BENCHMARK(Content_Imdn_Build);
BENCHMARK(Content_Imdn_BaselineXmlReadMemory);
BENCHMARK(Content_Imdn_BaselineMemchr);
BENCHMARK(Content_ImdnMessage_Parse);

int main(int argc, char** argv) {
  return sipbridge::bench::runCountingBenchmarks(argc, argv);
}
