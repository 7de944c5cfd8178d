"""Issues built straight from the model: a readable sample and synthetic ones of any size."""

from __future__ import annotations

import datetime as dt

from digestbot.model import Event, Issue, Paper, Source, XPost


def sample_issue() -> Issue:
    """A small, complete issue in the report's own shape (invented text, not the seeds)."""
    return Issue(
        date=dt.date(2026, 4, 20),
        title="AI 前沿发展日报 | 2026-04-20",
        coverage="重点核查 2026-04-14 至 2026-04-20 期间新增信息",
        overview=(
            "今天的主线是推理成本继续下降，开源模型在端侧部署上追上了闭源模型的体验。",
            "与此同时，监管 & 合规要求开始写进采购合同，<企业> 需要把审计能力前置。",
        ),
        conclusions=(
            "推理成本的下降正在把 AI 从试点推向默认配置。",
            "端侧模型让“离线可用”成为新的产品卖点。",
            "合规能力从加分项变成采购门槛。",
        ),
        events=tuple(
            Event(
                rank=i,
                title=f'示例公司 {i} 发布 Model-{i}.5 "Pro"',
                what_happened=f"示例公司在 2026-04-1{i} 发布了 Model-{i}.5，支持 1M 上下文。",
                key_facts="价格下降 50%；延迟降低 30%。A & B 两家客户已经接入。",
                why_it_matters="这说明价格战进入了新阶段。",
                implications="企业应当重新评估自建与采购的平衡。",
                sources=(
                    Source(f"示例公司 {i} | 官方博客", f"https://example.com/blog/{i}?a=1&b=2"),
                    Source("Reuters", "https://www.reuters.com/technology/(ai)-news"),
                ),
            )
            for i in range(1, 6)
        ),
        analysis=(
            "商业上，最先受益的是已经拥有分发渠道的公司。",
            "对中小企业而言，机会在于把开源模型做成可交付的系统。",
        ),
        x_posts=tuple(
            XPost(
                rank=i,
                title=f"研究者 {i} 谈 agent 评测",
                kind="观点",
                verification="已核实",
                verdict="值得关注，但证据有限。",
                sources=(Source(f"@researcher{i}", f"https://x.com/researcher{i}/status/1"),),
            )
            for i in range(1, 4)
        ),
        research=tuple(
            Paper(
                rank=i,
                title=f"论文 {i}：更高效的稀疏注意力",
                what="提出一种新的稀疏注意力机制。",
                novelty="在长上下文上把显存占用降低一半。",
                applications="长文档问答、代码库理解。",
                verdict="工程价值高。",
                sources=(Source("arXiv", f"https://arxiv.org/abs/2604.0000{i}"),),
            )
            for i in range(1, 4)
        ),
    )


def synthetic_issue(scale: int = 10, base: Issue | None = None) -> Issue:
    """`base` (the sample by default) with every paragraph `scale` times longer."""
    src = base or sample_issue()

    def grow(text: str) -> str:
        return " ".join([text] * scale) if text else text

    return Issue(
        date=src.date,
        title=src.title,
        coverage=src.coverage,
        overview=tuple(grow(p) for p in src.overview),
        conclusions=tuple(grow(c) for c in src.conclusions),
        events=tuple(
            Event(
                rank=e.rank,
                title=e.title,
                what_happened=grow(e.what_happened),
                key_facts=grow(e.key_facts),
                why_it_matters=grow(e.why_it_matters),
                implications=grow(e.implications),
                sources=e.sources,
            )
            for e in src.events
        ),
        analysis=tuple(grow(p) for p in src.analysis),
        x_posts=tuple(
            XPost(x.rank, x.title, x.kind, x.verification, grow(x.verdict), x.sources)
            for x in src.x_posts
        ),
        research=tuple(
            Paper(
                p.rank,
                p.title,
                grow(p.what),
                grow(p.novelty),
                grow(p.applications),
                grow(p.verdict),
                p.sources,
            )
            for p in src.research
        ),
    )
