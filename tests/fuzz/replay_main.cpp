// SPDX-License-Identifier: BSD-3-Clause
// The replay driver: a main() for the fuzz targets without libFuzzer (any compiler). Every argument
// is a file or a directory; each file (of a directory: each file in it, sorted by name, without dot
// files and README*) goes through LLVMFuzzerTestOneInput once. So the seed corpus and every
// regression input stay a test of the normal build (ctest fuzz-replay-<name>).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace fs = std::filesystem;

static bool isInput(const fs::path &path)
{
    const std::string name = path.filename().string();
    return name.rfind('.', 0) != 0 && name.rfind("README", 0) != 0;
}

int main(int argc, char **argv)
{
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::error_code error;
        if (fs::is_directory(arg, error)) {
            std::vector<fs::path> inDir;
            for (const fs::directory_entry &entry : fs::directory_iterator(arg)) {
                if (entry.is_regular_file() && isInput(entry.path()))
                    inDir.push_back(entry.path());
            }
            std::sort(inDir.begin(), inDir.end());
            files.insert(files.end(), inDir.begin(), inDir.end());
        } else if (fs::is_regular_file(arg, error)) {
            files.push_back(arg);
        } else {
            // A missing folder is a mistake in the build files, not an empty corpus.
            std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
            return 2;
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "replay: no inputs (usage: %s FILE|DIR...)\n", argc > 0 ? argv[0] : "replay");
        return 2;
    }
    for (const fs::path &file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
            return 2;
        }
        // Exactly the file's bytes in a buffer of their own, as libFuzzer passes them.
        const std::vector<char> content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<uint8_t> data(content.begin(), content.end());
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), data.size());
        std::fflush(stderr);
        static const uint8_t empty = 0;
        LLVMFuzzerTestOneInput(data.empty() ? &empty : data.data(), data.size());
    }
    std::fprintf(stderr, "replay: %zu inputs, no failure\n", files.size());
    return 0;
}
