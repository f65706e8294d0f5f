# kore_webhook_strict(<target>): the warning set every target of this project builds with.
# KORE_WEBHOOK_WERROR turns warnings into errors (on in CI and in README's test command).
option(KORE_WEBHOOK_WERROR "Treat warnings as errors in the project's own targets" OFF)

function(kore_webhook_strict target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
    if(KORE_WEBHOOK_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
  # The library must build without any deprecated OpenSSL API.
  target_compile_definitions(${target} PRIVATE OPENSSL_NO_DEPRECATED OPENSSL_API_COMPAT=30000)
endfunction()
