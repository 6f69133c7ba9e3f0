#include "varpulis/server/prometheus_text.h"

#include <cmath>

#include <fmt/format.h>

namespace varpulis::server {
namespace {

void AppendDouble(std::string& out, double value) {
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (std::isnan(value)) {
    out += "NaN";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void PrometheusWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusWriter::Labels(std::initializer_list<Label> labels, std::string_view extra_name,
                              std::string_view extra_value) {
  if (labels.size() == 0 && extra_name.empty()) return;
  out_ += '{';
  bool first = true;
  for (const Label& label : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += label.first;
    out_ += "=\"";
    out_ += EscapeLabelValue(label.second);
    out_ += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out_ += ',';
    out_ += extra_name;
    out_ += "=\"";
    out_ += extra_value;
    out_ += '"';
  }
  out_ += '}';
}

void PrometheusWriter::Sample(std::string_view name, std::initializer_list<Label> labels,
                              double value) {
  out_ += name;
  Labels(labels);
  out_ += ' ';
  AppendDouble(out_, value);
  out_ += '\n';
}

void PrometheusWriter::Sample(std::string_view name, std::initializer_list<Label> labels,
                              std::uint64_t value) {
  out_ += name;
  Labels(labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusWriter::Histogram(std::string_view name, std::initializer_list<Label> labels,
                                 const double* bounds, const std::uint64_t* counts,
                                 std::size_t buckets, double sum, std::uint64_t count) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= buckets; ++i) {
    cumulative += counts[i];
    std::string le = i < buckets ? fmt::format("{}", bounds[i]) : std::string("+Inf");
    out_ += name;
    out_ += "_bucket";
    Labels(labels, "le", le);
    fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  }
  out_ += name;
  out_ += "_sum";
  Labels(labels);
  out_ += ' ';
  AppendDouble(out_, sum);
  out_ += '\n';
  out_ += name;
  out_ += "_count";
  Labels(labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", count);
}

}  // namespace varpulis::server
