/* Calculators of the telegram suite. */
#include "cli.h"

const struct calc_cmd calc_cmds_telegram[] = {
    {0},
};
