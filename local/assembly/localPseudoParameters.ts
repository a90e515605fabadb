import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';

/** What `AWS::Region`, `AWS::AccountId` and the other pseudo parameters resolve to offline. */
export function localPseudoParameters(stackName: string): Readonly<Record<string, string>> {
  return {
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::NoValue': '',
  };
}
