# ctest perf.instructions: runs the instruction-count driver under callgrind, then has it judge
# the dumps. -DDRIVER=<instruction_gate> -DVALGRIND=<valgrind> -DOUT_DIR=<scratch directory>
if(NOT VALGRIND)
  message(FATAL_ERROR "perf.instructions needs valgrind (tools/install-deps.sh installs it)")
endif()
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")
# --instr-atstart=no: building the verifiers and bodies is not instrumented, only the measured calls.
execute_process(
  COMMAND "${VALGRIND}" --tool=callgrind --instr-atstart=no "--callgrind-out-file=${OUT_DIR}/callgrind.out"
          "${DRIVER}" measure
  RESULT_VARIABLE measured
  OUTPUT_VARIABLE measure_output
  ERROR_VARIABLE measure_output)
if(NOT measured EQUAL 0)
  message(FATAL_ERROR "callgrind run failed (${measured}):\n${measure_output}")
endif()
execute_process(COMMAND "${DRIVER}" report "${OUT_DIR}" RESULT_VARIABLE judged)
if(NOT judged EQUAL 0)
  message(FATAL_ERROR "an instruction ratio is over its target (table above)")
endif()
