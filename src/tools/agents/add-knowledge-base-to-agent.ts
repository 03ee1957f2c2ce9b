import { z } from 'zod';
import { describeUpstreamError } from '../../elevenlabs/errors.js';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { textResult } from '../../mcp/tool-result.js';
import { resolveInputFile } from '../../output/input-files.js';
import { uploadFile } from '../../output/upload.js';
import { snakeCaseKeys } from '../snake-case.js';
import { requireNonBlank } from '../params.js';

export const addKnowledgeBaseToAgent = defineTool({
  name: 'add_knowledge_base_to_agent',
  title: 'Add knowledge base to agent',
  toolset: 'agents',
  effect: 'create',
  description: `Add a knowledge base document to the ElevenLabs workspace and attach it to an agent. The document comes from exactly one of: a URL, a file (epub, pdf, docx, txt, html), or text.

${COST_WARNING}`,
  input: z.object({
    agent_id: z.string().describe('ID of the agent to add the knowledge base to.'),
    knowledge_base_name: z.string().describe('Name of the knowledge base document.'),
    url: z.string().optional().describe('URL of a web page to add to the knowledge base.'),
    input_file_path: z
      .string()
      .optional()
      .describe(
        'Path of a document (epub, pdf, docx, txt, html) to add, relative to the server base path (ELEVENLABS_MCP_BASE_PATH) or absolute inside it, or inline as a data: URI (data:application/pdf;base64,…).',
      ),
    text: z.string().optional().describe('Text to add to the knowledge base (uploaded as text.txt).'),
  }),
  async handle(args, ctx) {
    const agentId = requireNonBlank(args.agent_id, 'agent_id');
    const provided = [args.url, args.input_file_path, args.text].filter((p) => p !== undefined);
    if (provided.length === 0) throw new UserError('Must provide either a URL, a file, or text');
    if (provided.length > 1) throw new UserError('Must provide exactly one of: URL, file, or text');
    const file =
      args.input_file_path !== undefined
        ? await resolveInputFile(ctx.settings.output.basePath, args.input_file_path, 'input_file_path', false)
        : undefined;

    const client = await ctx.elevenlabs();
    // The agent is read first, so a wrong agent_id fails before a document is created (the official server
    // creates the document, then reads the agent).
    const agent = await client.conversationalAi.agents.get(agentId, {}, ctx.requestOptions);

    const documents = client.conversationalAi.knowledgeBase.documents;
    const name = args.knowledge_base_name;
    const document =
      args.url !== undefined
        ? await documents.createFromUrl({ url: args.url, name }, ctx.requestOptions)
        : await documents.createFromFile(
            {
              file: file
                ? await uploadFile(file)
                : { data: Buffer.from(args.text ?? '', 'utf8'), filename: 'text.txt', contentType: 'text/plain' },
              name,
            },
            ctx.requestOptions,
          );

    // The agent keeps the documents it had, plus this one. Only that list is sent: the API merges a partial
    // conversation_config into the agent's, and arrays are replaced whole. Existing entries are sent back in
    // their wire form (raw, so values this SDK version does not know survive).
    const existing = (agent.conversationConfig.agent?.prompt?.knowledgeBase ?? []).map((kb) => snakeCaseKeys(kb));
    const knowledge_base = [...existing, { type: args.url !== undefined ? 'url' : 'file', name, id: document.id }];
    try {
      await client.conversationalAi.agents.update(agentId, {}, {
        ...ctx.requestOptions,
        additionalBodyParameters: { conversation_config: { agent: { prompt: { knowledge_base } } } },
      });
    } catch (err) {
      const upstream = describeUpstreamError(err);
      if (!upstream) throw err;
      throw new UserError(
        `Knowledge base document created with ID: ${document.id}, but adding it to agent ${agentId} failed: ${upstream.message}`,
      );
    }
    return textResult(`Knowledge base created with ID: ${document.id} and added to agent ${agentId} successfully.`);
  },
});
