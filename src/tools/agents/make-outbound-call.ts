import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { errorResult, textResult } from '../../mcp/tool-result.js';
import { nonEmptyString } from '../params.js';
import { pydanticStr } from './conversation-format.js';
import { e164, listPhoneNumbers } from './conversation-phone-numbers.js';

/** What both outbound-call responses share; the provider's own call id and any extra keys come along. */
interface CallResponse {
  success: boolean;
  message: string;
  conversationId?: string | null;
}

/** The response as the official server prints it (pydantic's str of the model, extra keys last). */
function describeResponse(response: CallResponse, idField: 'call_sid' | 'sip_call_id'): string {
  const { success, message, conversationId, callSid, sipCallId, ...extras } = response as CallResponse & Record<string, unknown>;
  const id = idField === 'call_sid' ? callSid : sipCallId;
  return pydanticStr(
    [
      ['success', success],
      ['message', message],
      ['conversation_id', conversationId],
      [idField, id],
    ],
    extras,
  );
}

export const makeOutboundCall = defineTool({
  name: 'make_outbound_call',
  title: 'Make outbound call',
  toolset: 'agents',
  effect: 'destructive',
  description: `Make an outbound call using an ElevenLabs agent: the agent phones to_number from one of the account's phone numbers. Automatically detects provider type (Twilio or SIP trunk) from the phone number and uses the appropriate API. This places a real phone call.

${COST_WARNING}`,
  input: z.object({
    agent_id: nonEmptyString('agent_id', 'The ID of the agent that will handle the call.'),
    agent_phone_number_id: nonEmptyString(
      'agent_phone_number_id',
      'The ID of the phone number to call from (list_phone_numbers shows them); a Twilio or SIP trunk number.',
    ),
    to_number: nonEmptyString('to_number', 'The phone number to call, in E.164 format: +1xxxxxxxxxx.'),
  }),
  async handle(args, ctx) {
    const toNumber = e164(args.to_number);
    const numbers = await listPhoneNumbers(ctx);
    const phone = numbers.find((n) => n.phone_number_id === args.agent_phone_number_id);
    if (!phone) throw new UserError(`Phone number with ID ${args.agent_phone_number_id} not found.`);

    const client = await ctx.elevenlabs();
    const request = { agentId: args.agent_id, agentPhoneNumberId: args.agent_phone_number_id, toNumber };
    let via: string;
    let text: string;
    let response: CallResponse;
    switch (phone.provider.toLowerCase()) {
      case 'twilio':
        via = 'Twilio';
        response = await client.conversationalAi.twilio.outboundCall(request, ctx.requestOptions);
        text = describeResponse(response, 'call_sid');
        break;
      case 'sip_trunk':
        via = 'SIP trunk';
        response = await client.conversationalAi.sipTrunk.outboundCall(request, ctx.requestOptions);
        text = describeResponse(response, 'sip_call_id');
        break;
      default:
        throw new UserError(`Unsupported provider type: ${phone.provider}`);
    }
    // The official server reports success even when ElevenLabs says the call was not placed.
    if (response.success === false) return errorResult(`Outbound call via ${via} failed: ${text}.`);
    return textResult(`Outbound call initiated via ${via}: ${text}.`);
  },
});
