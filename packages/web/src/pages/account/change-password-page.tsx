import { LockOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { TMe } from '../../api/types.ts';
import { useAuth } from '../../auth.tsx';
import { passwordChangeRequired } from './password-state.ts';

type TForm = { oldPassword: string; newPassword: string; confirm: string };

// The server's complexity rule (security/passwords.ts), checked here too for a quick answer.
const complexityProblem = (value: string): string | undefined => {
  if (value.length < 10) return '密码长度至少10位';
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三类';
  return undefined;
};

const FIELD_OF_MESSAGE: [RegExp, keyof TForm][] = [
  [/原密码/, 'oldPassword'],
  [/密码/, 'newPassword'],
];

/** 修改密码: voluntary, or required after a reset or when the password expired. */
export const ChangePasswordPage = () => {
  const { me, logout } = useAuth();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<TForm>();
  const [submitting, setSubmitting] = useState(false);
  const required = passwordChangeRequired(me);

  const onFinish = async (values: TForm) => {
    setSubmitting(true);
    try {
      await api('POST', '/api/auth/password', {
        oldPassword: values.oldPassword,
        newPassword: values.newPassword,
      });
      message.success('密码已修改');
      await queryClient.fetchQuery({
        queryKey: ['me'],
        queryFn: () => api<TMe>('GET', '/api/auth/me'),
      });
      navigate('/', { replace: true });
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const field = FIELD_OF_MESSAGE.find(([re]) => re.test(text))?.[1] ?? 'newPassword';
      form.setFields([{ name: field, errors: [text] }]);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div style={{ maxWidth: 460, margin: '24px auto' }}>
      <Card>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          修改密码
        </Typography.Title>
        {required && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title="您的密码已过期或为管理员设置的临时密码，请先设置新密码再继续使用。"
          />
        )}
        <Form<TForm> form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
          <Form.Item
            label="原密码"
            name="oldPassword"
            rules={[{ required: true, message: '请输入原密码' }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" autoFocus />
          </Form.Item>
          <Form.Item
            label="新密码"
            name="newPassword"
            extra="至少10位，含大写字母、小写字母、数字、符号中的至少三类，不含用户名"
            rules={[
              { required: true, message: '请输入新密码' },
              {
                validator: async (_, value: string | undefined) => {
                  const problem = value ? complexityProblem(value) : undefined;
                  if (problem) throw new Error(problem);
                },
              },
            ]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label="确认新密码"
            name="confirm"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: '请再次输入新密码' },
              ({ getFieldValue }) => ({
                validator: async (_, value: string | undefined) => {
                  if (value && value !== getFieldValue('newPassword')) {
                    throw new Error('两次输入的新密码不一致');
                  }
                },
              }),
            ]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            确认修改
          </Button>
          {required && (
            <Button
              type="link"
              block
              style={{ marginTop: 8 }}
              onClick={async () => {
                await logout();
                navigate('/login');
              }}
            >
              退出登录
            </Button>
          )}
        </Form>
      </Card>
    </div>
  );
};
