# Compiler settings shared by every target of the project (never exported to users).
add_library(jobslib_compiler_settings INTERFACE)
target_compile_definitions(jobslib_compiler_settings INTERFACE
  QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
  QT_NO_CAST_FROM_BYTEARRAY QT_NO_SIGNALS_SLOTS_KEYWORDS QT_USE_QSTRINGBUILDER
  QT_NO_CONTEXTLESS_CONNECT QT_NO_FOREACH QT_STRICT_ITERATORS
  QT_DISABLE_DEPRECATED_UP_TO=0x060400)
target_compile_options(jobslib_compiler_settings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual>)
if(JOBSLIB_WERROR)
  target_compile_options(jobslib_compiler_settings INTERFACE $<$<CXX_COMPILER_ID:GNU,Clang>:-Werror>)
endif()
