// Reads and compiles a scenario with the installed libcodev, then reads an output file back:
// scenario reader (yaml-cpp), model (Eigen, TBB) and HDF5 reader all link from the package.
#include <cstdio>
#include <exception>

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/scenario.hpp"
#include "codev/version.hpp"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  try {
    const codev::Model model = codev::compile(codev::read_scenario(argv[1]));
    const codev::VariableData fgt0 = codev::read_variable(argv[2], "annual", "fgt0");
    std::printf("codev %s: %d counties; %zu years x %zu counties of fgt0; %s\n", codev::kVersion,
                model.n_county, fgt0.rows, fgt0.cols, codev::library_versions().c_str());
    return model.n_county > 0 && fgt0.cols == static_cast<std::size_t>(model.n_county) ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
}
