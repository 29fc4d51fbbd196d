/* Calculators of the noise suite. */
#include "cli.h"

const struct calc_cmd calc_cmds_noise[] = {
    {0},
};
