/* Calculators of the whatsapp suite. */
#include "cli.h"

const struct calc_cmd calc_cmds_whatsapp[] = {
    {0},
};
