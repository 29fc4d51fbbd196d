/* Calculators of the Signal Protocol core. */
#include "cli.h"

const struct calc_cmd calc_cmds_signal[] = {
    {0},
};
