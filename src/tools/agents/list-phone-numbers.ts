import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult } from '../../mcp/tool-result.js';
import { listPhoneNumbers, PhoneNumber } from './conversation-phone-numbers.js';

export const listPhoneNumbersTool = defineTool({
  name: 'list_phone_numbers',
  title: 'List phone numbers',
  toolset: 'agents',
  effect: 'read',
  description:
    'List all phone numbers associated with the ElevenLabs account: number, ID (the agent_phone_number_id for ' +
    'make_outbound_call), provider (twilio, sip_trunk, exotel), label and assigned agent.',
  input: z.object({}),
  output: z.object({ phone_numbers: z.array(PhoneNumber) }),
  async handle(_args, ctx) {
    const phone_numbers = await listPhoneNumbers(ctx);
    return jsonResult({ phone_numbers }, phone_numbers);
  },
});
