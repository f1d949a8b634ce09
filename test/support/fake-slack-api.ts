export {
  SlackWebApi as FakeSlackApi,
  type PostedMessage,
  type RecordedCall,
  type ScriptedReply,
  type SlackFault,
} from '../../src/workspace/slack-web-api.js';
