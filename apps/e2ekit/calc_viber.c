/* Calculators of the viber suite. */
#include "cli.h"

const struct calc_cmd calc_cmds_viber[] = {
    {0},
};
