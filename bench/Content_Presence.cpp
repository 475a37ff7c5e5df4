// Content_Presence: ns per document and allocations per document for the presence codecs
// (PIDF, reginfo), each next to baselines run in the same binary on the same bytes:
// libxml2's bare xmlReadMemory + xmlFreeDoc, and XmlDocument::parse alone (the safe parse
// with its DOCTYPE refusal and tree walk, without extracting anything). The PIDF document is
// the RFC 3863 §6 example; the reginfo document is a Kamailio 5.6 NOTIFY body with four
// contacts of one AOR (each as pua_reginfo writes it). Allocations are counted through a
// replaced operator new and through xmlMemSetup for libxml2 (allocs/doc, bytes/doc).
#include "sipbridge/content/Pidf.h"
#include "sipbridge/content/Reginfo.h"

#include "AllocationCounting.h"
#include "RfcExamples.h"

#include <Poco/JSON/Stringifier.h>

#include <benchmark/benchmark.h>
#include <libxml/parser.h>

#include <sstream>

using namespace sipbridge::content;
using sipbridge::bench::AllocationScope;

namespace {

const std::string& kPidf = sipbridge::test::kRfc3863Pidf;

std::string reginfoDocument() {
  std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"7\" state=\"full\">\n"
      "  <registration aor=\"sip:alice@example.test\" id=\"0x7fe88c526198\" state=\"active\">\n";
  for (int i = 0; i < 4; ++i) {
    const std::string n = std::to_string(i);
    xml += "    <contact id=\"0x7fe88c5262c" + n +
           "\" state=\"active\" event=\"refreshed\" expires=\"3600\" callid=\"1-2041" + n +
           "@127.0.0.1\" cseq=\"2\" received=\"\" path=\"\" user_agent=\"sipp\">\n"
           "      <uri>sip:alice@127.0.0.1:2891" +
           n + "</uri>\n    </contact>\n";
  }
  xml += "  </registration>\n</reginfo>\n";
  return xml;
}

const std::string kReginfo = reginfoDocument();

void baselineXmlReadMemory(benchmark::State& state, const std::string& xml) {
  AllocationScope scope(state, "doc");
  for (auto _ : state) {
    xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (doc == nullptr) state.SkipWithError("xmlReadMemory failed");
    benchmark::DoNotOptimize(doc);
    xmlFreeDoc(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * xml.size()));
}

void baselineSafeXml(benchmark::State& state, const std::string& xml) {
  AllocationScope scope(state, "doc");
  for (auto _ : state) benchmark::DoNotOptimize(XmlDocument::parse(xml));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * xml.size()));
}

void Content_Pidf_Parse(benchmark::State& state) {
  AllocationScope scope(state, "doc");
  for (auto _ : state) benchmark::DoNotOptimize(parsePidf(kPidf));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPidf.size()));
}

void Content_Pidf_BaselineXmlReadMemory(benchmark::State& state) {
  baselineXmlReadMemory(state, kPidf);
}

void Content_Pidf_BaselineSafeXml(benchmark::State& state) {
  baselineSafeXml(state, kPidf);
}

void Content_Pidf_ParseToJsonString(benchmark::State& state) {
  AllocationScope scope(state, "doc");
  for (auto _ : state) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(toJson(parsePidf(kPidf)), out);
    benchmark::DoNotOptimize(out.str());
  }
}

void Content_Pidf_Build(benchmark::State& state) {
  AllocationScope scope(state, "doc");
  for (auto _ : state)
    benchmark::DoNotOptimize(
        buildPidf("sip:alice@example.test", true, "Lunch & <back> at 2", "p1"));
}

void Content_Reginfo_Parse(benchmark::State& state) {
  AllocationScope scope(state, "doc");
  for (auto _ : state) benchmark::DoNotOptimize(parseReginfo(kReginfo));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kReginfo.size()));
}

void Content_Reginfo_BaselineXmlReadMemory(benchmark::State& state) {
  baselineXmlReadMemory(state, kReginfo);
}

void Content_Reginfo_BaselineSafeXml(benchmark::State& state) {
  baselineSafeXml(state, kReginfo);
}

void Content_Reginfo_ParseToJsonString(benchmark::State& state) {
  AllocationScope scope(state, "doc");
  for (auto _ : state) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(toJson(parseReginfo(kReginfo)), out);
    benchmark::DoNotOptimize(out.str());
  }
}

}  // namespace

BENCHMARK(Content_Pidf_Parse);
BENCHMARK(Content_Pidf_BaselineXmlReadMemory);
BENCHMARK(Content_Pidf_BaselineSafeXml);
BENCHMARK(Content_Pidf_ParseToJsonString);
BENCHMARK(Content_Pidf_Build);
BENCHMARK(Content_Reginfo_Parse);
BENCHMARK(Content_Reginfo_BaselineXmlReadMemory);
BENCHMARK(Content_Reginfo_BaselineSafeXml);
BENCHMARK(Content_Reginfo_ParseToJsonString);

int main(int argc, char** argv) {
  return sipbridge::bench::runCountingBenchmarks(argc, argv);
}
