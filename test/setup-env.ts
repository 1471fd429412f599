// Tests run on Node 20; the SDK's "Node 22 soon" notice is noise here, not a finding.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
