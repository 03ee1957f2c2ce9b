// Phone numbers as the conversation tools see them. The SDK parses twilio, exotel and sip_trunk numbers into
// camelCase objects but hands back any other provider raw (snake_case), so both spellings are read.
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { ToolContext } from '../../mcp/define-tool.js';

export const PhoneNumber = z.object({
  phone_number: z.string(),
  phone_number_id: z.string(),
  provider: z.string(),
  label: z.string(),
  supports_inbound: z.boolean().optional(),
  supports_outbound: z.boolean().optional(),
  assigned_agent: z.object({ agent_id: z.string(), agent_name: z.string() }).optional(),
});
export type PhoneNumber = z.infer<typeof PhoneNumber>;

type Item = Record<string, unknown>;

function field(item: Item, camel: string, snake: string): unknown {
  return item[camel] ?? item[snake];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** Only the fields worth showing: trunk configs (addresses, user names) stay out of the model's context. */
export function toPhoneNumber(raw: unknown): PhoneNumber {
  const item = (raw ?? {}) as Item;
  const agent = field(item, 'assignedAgent', 'assigned_agent') as Item | null | undefined;
  const inbound = field(item, 'supportsInbound', 'supports_inbound');
  const outbound = field(item, 'supportsOutbound', 'supports_outbound');
  return {
    phone_number: str(field(item, 'phoneNumber', 'phone_number')),
    phone_number_id: str(field(item, 'phoneNumberId', 'phone_number_id')),
    provider: str(item.provider),
    label: str(item.label),
    ...(typeof inbound === 'boolean' && { supports_inbound: inbound }),
    ...(typeof outbound === 'boolean' && { supports_outbound: outbound }),
    ...(agent && {
      assigned_agent: { agent_id: str(field(agent, 'agentId', 'agent_id')), agent_name: str(field(agent, 'agentName', 'agent_name')) },
    }),
  };
}

/** Every phone number of the account (GET /v1/convai/phone-numbers, no filters, as the official server asks). */
export async function listPhoneNumbers(ctx: ToolContext): Promise<PhoneNumber[]> {
  const client = await ctx.elevenlabs();
  const items = await client.conversationalAi.phoneNumbers.list({}, ctx.requestOptions);
  return items.map(toPhoneNumber);
}

/**
 * The number to call, in E.164: '+', country code and number, 7 to 15 digits. Spaces, dots, dashes and
 * parentheses people write for readability are removed; anything else is refused before any upstream call.
 */
export function e164(toNumber: string): string {
  const compact = toNumber.trim().replace(/[\s().-]/g, '');
  if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
    throw new UserError(
      `to_number must be a phone number in E.164 format: '+', the country code and the number, 7 to 15 digits ` +
        `(e.g. +14155550123); got '${toNumber.length > 40 ? `${toNumber.slice(0, 40)}…` : toNumber}'.`,
    );
  }
  return compact;
}
